namespace Fathom.Tuning;

/// <summary>Adds PostgreSQL to a host's <see cref="StudyStores"/>.</summary>
internal static class PostgresStudyStores
{
    /// <summary>Makes <paramref name="stores"/> open studies at <c>postgresql://</c> (and <c>postgres://</c>) locations.</summary>
    public static StudyStores AddPostgres(this StudyStores stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        return stores.Add("postgresql", PostgresStudyStore.OpenAsync).Add("postgres", PostgresStudyStore.OpenAsync);
    }
}
