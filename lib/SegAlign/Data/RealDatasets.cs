namespace SegAlign.Data;

/// <summary>Loaders for published datasets (Cityscapes, ADE20K, CamVid, Pascal Context), registered with <see cref="DatasetFactory"/>.</summary>
public static class RealDatasets
{
    public static IEnumerable<DatasetFactory.Entry> Entries => [];
}
