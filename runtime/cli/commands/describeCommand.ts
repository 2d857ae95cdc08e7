import { Command, Option } from 'commander';
import { describeTopology, describeTopologyAsMermaid } from '../../../processors/describeTopology.ts';
import { loadTopology } from '../../loadTopology.ts';

/** `tributary describe <topology> [--format text|mermaid]`: prints the topology's structure. */
export function describeCommand(): Command {
  return new Command('describe')
    .description('print a topology: subtopologies, sources, processors, stores, sinks, internal topics')
    .argument('<topology>', 'a module whose default export is the topology (e.g. topologies/orderSaga.ts)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid']).default('text'))
    .action(async (file: string, options: { format: 'text' | 'mermaid' }) => {
      const topology = await loadTopology(file);
      process.stdout.write(options.format === 'mermaid' ? describeTopologyAsMermaid(topology) : describeTopology(topology));
    });
}
