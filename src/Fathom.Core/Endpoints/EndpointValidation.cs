using System.Globalization;
using System.Text.RegularExpressions;
using Fathom.Tracking;

namespace Fathom.Endpoints;

/// <summary>What an endpoint's fields may hold; each refusal names the field, as the CLI and the API show it.</summary>
internal static partial class EndpointValidation
{
    public const int MaxReplicas = 16;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex NamePattern();

    /// <summary>A DNS label, as Kubernetes and Vertex AI name endpoints, so one name works on every target.</summary>
    public static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name ?? string.Empty))
        {
            throw TrackingException.Invalid($"name: '{name}' is not an endpoint name; use lowercase letters, digits and '-', starting with a letter (at most 63).");
        }
    }

    public static void ValidateModelUri(string uri)
    {
        if (uri is null || !uri.StartsWith("models:/", StringComparison.Ordinal) || uri.Length <= "models:/".Length)
        {
            throw TrackingException.Invalid($"model: '{uri}' is not a registry URI; write models:/<name>@<alias>, models:/<name>/<version> or models:/<name>/<stage>.");
        }
    }

    public static void ValidateTarget(string target)
    {
        if (target != EndpointRecord.LocalTarget)
        {
            throw TrackingException.Invalid(target is "container" or "kubernetes"
                ? $"target: '{target}' is not available yet; use local."
                : $"target: '{target}' is not a target; use local.");
        }
    }

    public static void ValidateReplicas(long replicas)
    {
        if (replicas is < 1 or > MaxReplicas)
        {
            throw TrackingException.Invalid($"replicas: {replicas.ToString(CultureInfo.InvariantCulture)} is out of range; use 1 to {MaxReplicas}.");
        }
    }

    public static void ValidatePort(long port)
    {
        if (port is < 0 or > 65535)
        {
            throw TrackingException.Invalid($"port: {port.ToString(CultureInfo.InvariantCulture)} is not a TCP port; use 1-65535, or 0 for a free one.");
        }
    }
}
