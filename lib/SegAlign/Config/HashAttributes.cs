namespace SegAlign.Config;

/// <summary>Marks a setting that changes how a run is executed or reported, never its result; left out of the config hash.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotHashedAttribute : Attribute;

/// <summary>
/// A setting added after results were committed: left out of the hash while it is unset (null), so adding it
/// does not re-key every earlier run; hashed like any other setting once set.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HashedWhenSetAttribute : Attribute;
