import { TributaryError } from '../errors.ts';

/** A component name on the command line or in `LocalStack` calls that the stack does not know. */
export class UnknownComponentError extends TributaryError {
  constructor(
    readonly component: string,
    expected: readonly string[],
  ) {
    super('STACK_UNKNOWN_COMPONENT', `unknown component '${component}' (expected ${expected.join(', ')})`);
  }
}

/** A program the local stack needs is absent and could not be installed here. */
export class MissingPrerequisiteError extends TributaryError {
  constructor(
    readonly binary: string,
    readonly debianPackage: string,
    reason: string,
  ) {
    super('STACK_MISSING_PREREQUISITE', `${binary} not found: install the Debian package ${debianPackage} (${reason})`);
  }
}

/** A component's process exited, or did not answer in time, while the stack was starting it. */
export class ComponentStartError extends TributaryError {
  constructor(component: string, message: string, options?: ErrorOptions) {
    super('STACK_START_FAILED', `${component} did not start: ${message}`, options);
  }
}

/** A port the stack wants is held by a process that is not a healthy copy of the component. */
export class PortInUseError extends TributaryError {
  constructor(component: string, port: number) {
    super('STACK_PORT_IN_USE', `${component} cannot start: port ${port} is in use by another program (set TRIBUTARY_*_PORT to move it)`);
  }
}

/** A node index (`LocalStack.kill(name, signal, node)`) that the component does not have. */
export class UnknownNodeError extends TributaryError {
  constructor(component: string, node: number, nodes: number) {
    super('STACK_UNKNOWN_NODE', `${component} has no node ${node} (${nodes === 1 ? 'its only node is 0' : `its nodes are 0 to ${nodes - 1}`})`);
  }
}

/** Downloading the component's jars with Maven failed. */
export class DownloadError extends TributaryError {
  constructor(what: string, detail: string) {
    super('STACK_DOWNLOAD_FAILED', `downloading ${what} failed: ${detail}`);
  }
}

/** `--docker` was asked for with a component that docker-compose.yml does not define. */
export class NotInDockerComposeError extends TributaryError {
  constructor(component: string) {
    super('STACK_NOT_IN_DOCKER_COMPOSE', `${component} is not in docker-compose.yml; leave out --docker to run it as local processes`);
  }
}

/** `--docker` was asked for but no Docker engine answers. */
export class DockerUnavailableError extends TributaryError {
  constructor(detail: string) {
    super('STACK_DOCKER_UNAVAILABLE', `no Docker engine answers (${detail}); run \`tributary stack up\` without --docker to start local processes`);
  }
}
