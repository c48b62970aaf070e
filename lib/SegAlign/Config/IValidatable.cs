namespace SegAlign.Config;

/// <summary>Options that can check themselves; <c>where</c> names the config field for the message.</summary>
public interface IValidatable
{
    void Validate(string where);
}
