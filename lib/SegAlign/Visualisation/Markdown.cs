namespace SegAlign.Visualisation;

/// <summary>Text that notebooks display as formatted markdown (text/markdown) and reports render: prose computed from results.</summary>
public sealed record Markdown(string Text)
{
    public override string ToString() => Text;
}
