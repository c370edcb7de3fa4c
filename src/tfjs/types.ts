// The parts of TensorFlow.js this entry uses, as plain structural types: the caller hands in its own tfjs namespace
// at run time, and the package's declarations need no tfjs installed to type-check.

/** tfjs's element types (`DataType`). */
export type TfDataType = 'float32' | 'int32' | 'bool' | 'complex64' | 'string';

/** A kernel attribute's value (`Attribute`). */
export type TfAttribute = number | number[] | boolean | boolean[] | string | string[] | { [name: string]: TfAttribute };

/** A tensor's bookkeeping, as tfjs's kernels see it (`TensorInfo`). */
export interface TfTensorInfo {
  /** The key of its data in the backend. */
  dataId: object;
  /** Its shape. */
  shape: number[];
  /** Its element type (`'float32'` here). */
  dtype: TfDataType;
}

/** A tfjs tensor, as far as this entry uses one. */
export interface TfTensor extends TfTensorInfo {
  /** Its values, read synchronously (used for `input_sizes`, and on backends other than WebGL). */
  dataSync(): ArrayLike<number>;
  /** Frees it. */
  dispose(): void;
}

/** What a kernel function is called with (`KernelFunc`'s argument). */
export interface TfKernelParams {
  /** The kernel's inputs by name (`dy` and `filter` here). */
  inputs: Record<string, TfTensorInfo>;
  /** The tfjs backend running the kernel (`MathBackendWebGL` here). */
  backend: object;
  /** The kernel's attributes. */
  attrs?: { [name: string]: TfAttribute };
}

/** A kernel registration (`KernelConfig`). */
export interface TfKernelConfig {
  /** The kernel's name (`'Conv3DBackpropInputV2'`). */
  kernelName: string;
  /** The backend it is for (`'webgl'`). */
  backendName: string;
  /** Computes the kernel's outputs. */
  kernelFunc(params: TfKernelParams): TfTensorInfo | TfTensorInfo[];
  /** Called once when the backend is set up. */
  setupFunc?(backend: unknown): void;
  /** Called when the backend is disposed. */
  disposeFunc?(backend: unknown): void;
}

/** A gradient registration (`GradConfig`). */
export interface TfGradConfig {
  /** The kernel whose gradient this is. */
  kernelName: string;
  /** Inputs kept for the gradient, by name. */
  inputsToSave?: string[];
  /** Outputs kept for the gradient. */
  outputsToSave?: boolean[];
  /** The gradient of each input, given the output's. */
  gradFunc(dy: never, saved: never[], attrs: never): Record<string, () => unknown>;
}

/** A graph-model node as tfjs-converter hands it to a custom op (`GraphNode`). */
export interface TfGraphNode {
  /** The node's inputs, in the graph's order (`input_sizes`, `filter`, `out_backprop` here). */
  inputs: TfTensor[];
  /** The node's attributes, by TensorFlow's names (`strides`, `padding`, `data_format`, `dilations`). */
  attrs: Record<string, unknown>;
}

/** An op registered with tfjs-converter (`OpMapper`). */
export interface TfRegisteredOp {
  /** The function a custom op runs. */
  customExecutor?(node: TfGraphNode): never;
}

/**
 * The TensorFlow.js namespace `registerWithTfjs` takes: `@tensorflow/tfjs`, or tfjs-core's namespace with
 * tfjs-converter's `registerOp` and `deregisterOp` added for graph models.
 */
export interface TfNamespace {
  /** tfjs-core's: the kernel registered for a backend. */
  getKernel(kernelName: string, backendName: string): TfKernelConfig | undefined;
  /** tfjs-core's: registers a kernel. */
  registerKernel(config: TfKernelConfig): void;
  /** tfjs-core's: removes a kernel. */
  unregisterKernel(kernelName: string, backendName: string): void;
  /** tfjs-core's: registers a gradient. */
  registerGradient(config: TfGradConfig): void;
  /** tfjs-core's: removes a gradient. */
  unregisterGradient(kernelName: string): void;
  /** tfjs-core's: the gradient registered for a kernel. */
  getGradient?(kernelName: string): TfGradConfig | undefined;
  /** tfjs-core's: the active backend's name. */
  getBackend(): string;
  /** tfjs-core's: the engine, which runs kernels. */
  engine(): {
    /** Runs a registered kernel on the active backend. */
    runKernel(kernelName: string, inputs: Record<string, TfTensorInfo>, attrs?: object): unknown;
  };
  /** tfjs-core's: makes a tensor. */
  tensor(values: Float32Array, shape: number[], dtype: 'float32'): TfTensor;
  /** tfjs-core's: used by the gradient (the input's gradient is a convolution of the upstream gradient). */
  conv3d(...args: never[]): unknown;
  /**
   * tfjs-converter's: graph models run ops registered here. `fn` returns tfjs tensors, whose full type this entry
   * does not describe (it only hands back tensors tfjs made): hence `never`.
   */
  registerOp?(name: string, fn: (node: TfGraphNode) => never): void;
  /** tfjs-converter's: removes an op. */
  deregisterOp?(name: string): void;
  /** tfjs-converter's, where exported: the op registered under a name. */
  getRegisteredOp?(name: string): TfRegisteredOp | undefined;
}
