namespace Fathom.Registry;

/// <summary>The SQL databases the registry store runs on; their SQL differs only in pattern matching and row locks.</summary>
internal enum RegistryDialect
{
    Sqlite,
    Postgres,
}
