namespace Fathom.Config;

/// <summary>Names the config key of a property when it is not the property's name in snake_case.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ConfigKeyAttribute(string key) : Attribute
{
    public string Key { get; } = key;
}
