// A list of Tensor → Tensor modules whose entries are registered as "0", "1", … (like torch's ModuleList).
global using TensorModules = TorchSharp.Modules.ModuleList<TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>>;
