using Npgsql;

namespace Fathom.Tracking;

/// <summary>Turns the <c>postgresql://user:password@host:port/database?sslmode=…</c> URIs MLflow users write into Npgsql settings.</summary>
internal static class PostgresConnectionString
{
    public static string FromUri(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("postgresql" or "postgres"))
        {
            throw new ArgumentException($"Invalid PostgreSQL URI '{uri}': write postgresql://user:password@host:5432/database.", nameof(uri));
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = parsed.Host,
            Port = parsed.IsDefaultPort || parsed.Port <= 0 ? 5432 : parsed.Port,
            Database = Uri.UnescapeDataString(parsed.AbsolutePath.Trim('/')) is { Length: > 0 } database ? database : "postgres",
            // Writers wait for each other instead of failing; the pool bounds the connections a server opens.
            MaxPoolSize = 50,
            // The store sends the same few statements over and over (log-batch's inserts, search's shapes); prepared
            // once per connection they skip PostgreSQL's parse and plan, which EXPLAIN showed costing most of a search.
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
            // The store sets no session state (no SET, temp tables or session advisory locks: migration's lock is
            // transaction-scoped), so a connection handed back to the pool needs no reset; skipping it spares
            // PostgreSQL the reset statements Npgsql would otherwise send ahead of every request's first command.
            NoResetOnClose = true,
        };
        if (parsed.UserInfo.Length > 0)
        {
            var parts = parsed.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in parsed.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2 && kv[0] == "sslmode")
            {
                builder.SslMode = Enum.Parse<SslMode>(kv[1], ignoreCase: true);
            }
        }

        return builder.ConnectionString;
    }
}
