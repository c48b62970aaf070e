namespace SegAlign;

/// <summary>
/// Reports progress on the reporting thread at once and in order (System.Progress&lt;T&gt; posts it later, maybe after
/// a notebook cell ended or out of order on a console).
/// </summary>
public sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
