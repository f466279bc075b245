namespace Fathom.Config;

/// <summary>The YAML types a config scalar keeps.</summary>
internal enum ScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
}
