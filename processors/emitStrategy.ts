/**
 * When a windowed aggregation forwards (`EmitStrategy`, KIP-825): every update of a window
 * (`onWindowUpdate`, the default), or only each window's final result, once stream time has
 * closed it (`onWindowClose`), without a suppression buffer: the aggregate's store is read back.
 */
export class EmitStrategy {
  private constructor(
    /** @internal */ readonly onClose: boolean,
  ) {}

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy(false);
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy(true);
  }
}
