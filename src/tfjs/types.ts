// The parts of TensorFlow.js this entry uses, as plain structural types: the caller hands in its own tfjs namespace
// at run time, and the package's declarations need no tfjs installed to type-check.

/** A tensor's bookkeeping, as tfjs's kernels see it (`TensorInfo`). */
export interface TfTensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** A tfjs tensor, as far as this entry uses one. */
export interface TfTensor extends TfTensorInfo {
  dataSync(): ArrayLike<number>;
  dispose(): void;
}

/** What a kernel function is called with (`KernelFunc`'s argument). */
export interface TfKernelParams {
  inputs: Record<string, TfTensorInfo>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

/** A kernel registration (`KernelConfig`). */
export interface TfKernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: (params: TfKernelParams) => TfTensorInfo | TfTensorInfo[];
  setupFunc?: (backend: unknown) => void;
  disposeFunc?: (backend: unknown) => void;
}

/** A gradient registration (`GradConfig`). */
export interface TfGradConfig {
  kernelName: string;
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  gradFunc: (dy: never, saved: never[], attrs: never) => Record<string, () => unknown>;
}

/** A graph-model node as tfjs-converter hands it to a custom op (`GraphNode`). */
export interface TfGraphNode {
  inputs: TfTensor[];
  attrs: Record<string, unknown>;
}

/**
 * The TensorFlow.js namespace `registerWithTfjs` takes: `@tensorflow/tfjs`, or tfjs-core's namespace with
 * tfjs-converter's `registerOp` and `deregisterOp` added for graph models.
 */
export interface TfNamespace {
  getKernel(kernelName: string, backendName: string): TfKernelConfig | undefined;
  registerKernel(config: TfKernelConfig): void;
  unregisterKernel(kernelName: string, backendName: string): void;
  registerGradient(config: TfGradConfig): void;
  unregisterGradient(kernelName: string): void;
  getGradient?(kernelName: string): TfGradConfig | undefined;
  getBackend(): string;
  engine(): { runKernel(kernelName: string, inputs: Record<string, TfTensorInfo>, attrs?: object): unknown };
  tensor(values: Float32Array, shape: number[], dtype: 'float32'): TfTensor;
  /** Used by the gradient (the input's gradient is a convolution of the upstream gradient). */
  conv3d(x: TfTensor, filter: TfTensor, strides: number | number[], pad: 'valid' | 'same'): TfTensor;
  /** tfjs-converter's: graph models run ops registered here. */
  registerOp?(name: string, fn: (node: TfGraphNode) => TfTensor | TfTensor[]): void;
  deregisterOp?(name: string): void;
  getRegisteredOp?(name: string): { customExecutor?: (node: TfGraphNode) => TfTensor | TfTensor[] } | undefined;
}
