using SegAlign.Cli;

return SegAlignCommand.Run(args);
