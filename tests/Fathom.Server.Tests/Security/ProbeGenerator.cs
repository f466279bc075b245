using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fathom.Server.Tests.Security;

/// <summary>
/// Makes hostile variants of a legitimate request: the path spelled otherwise (case, slashes, percent-encoding, dot
/// segments), other methods, the parameters moved (query, body, both, repeated), the resource's id disguised (empty
/// run_id beside run_uuid, numbers, leading zeros, padding, arrays, escapes, other key case) and the body encoded
/// otherwise (double-encoded, BOM, duplicate keys, chunked, other content types, invalid UTF-8, lone surrogates).
/// Only the victim's resources, or ids that name nothing, are ever named.
/// </summary>
internal sealed class ProbeGenerator(Random random, string authorization)
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    private static readonly string[] IdKeys = ["run_id", "experiment_id", "name", "username", "run_ids", "path", "experiment_name", "experiment_ids"];

    public Probe Make(string method, string pattern, JsonObject template)
    {
        var recipe = new List<string>();
        var parameters = (JsonObject)template.DeepClone();
        var path = pattern;
        if (path.Contains("{**path}", StringComparison.Ordinal))
        {
            // A route whose body has a "path" of its own (multipart uploads) takes its route's from "route_path".
            var key = parameters.ContainsKey("route_path") ? "route_path" : "path";
            path = path.Replace("{**path}", Disguise(parameters[key]!.GetValue<string>(), recipe), StringComparison.Ordinal);
            parameters.Remove(key);
        }

        if (path.Contains("{request_id}", StringComparison.Ordinal))
        {
            // A trace id in the route: as given, or in another letter case (ids compare exactly).
            var id = parameters["request_id"]!.GetValue<string>();
            if (random.Next(4) == 0)
            {
                recipe.Add("trace id in upper case");
                id = id.ToUpperInvariant();
            }

            path = path.Replace("{request_id}", Uri.EscapeDataString(id), StringComparison.Ordinal);
            parameters.Remove("request_id");
        }

        foreach (var name in new[] { "model_id", "tag_key" })
        {
            if (!path.Contains("{" + name + "}", StringComparison.Ordinal))
            {
                continue;
            }

            // A logged model id in the route: as given, or in another letter case (ids compare exactly).
            var value = parameters[name]!.GetValue<string>();
            if (name == "model_id" && random.Next(4) == 0)
            {
                recipe.Add("model id in upper case");
                value = value.ToUpperInvariant();
            }

            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
            parameters.Remove(name);
        }

        foreach (var name in new[] { "project", "uuid" })
        {
            if (path.Contains("{" + name + "}", StringComparison.Ordinal))
            {
                // A job project or run in the route: as given, in upper case, or a run's uuid shortened to a prefix.
                var id = parameters[name]!.GetValue<string>();
                switch (random.Next(6))
                {
                    case 0:
                        recipe.Add($"{name} in upper case");
                        id = id.ToUpperInvariant();
                        break;
                    case 1 when name == "uuid":
                        recipe.Add("uuid prefix");
                        id = id[..6];
                        break;
                }

                path = path.Replace("{" + name + "}", Uri.EscapeDataString(id), StringComparison.Ordinal);
                parameters.Remove(name);
            }
        }

        method = MethodVariant(method, recipe);
        path = PathVariant(path, recipe);
        var idKey = IdKeys.FirstOrDefault(parameters.ContainsKey);
        if (idKey is not null && random.Next(3) > 0)
        {
            DisguiseId(parameters, idKey, recipe);
        }

        if (random.Next(8) == 0)
        {
            parameters["unknown"] = new JsonObject { ["deep"] = new JsonArray(1, new JsonObject { ["run_id"] = RouteTemplates.Decoy }) };
            recipe.Add("unknown field");
        }

        var placement = random.Next(6);
        var queryParams = placement switch
        {
            0 => method is "GET" or "HEAD" ? parameters : null, // as clients send it
            1 => parameters,                                      // query only
            2 => null,                                            // body only
            _ => Decoyed(parameters, idKey, recipe),              // both, one of them a decoy
        };
        var bodyParams = placement switch
        {
            0 => method is "GET" or "HEAD" ? null : parameters,
            1 => null,
            2 => parameters,
            _ => placement == 3 ? parameters : Decoyed(parameters, idKey, recipe),
        };
        recipe.Add(placement switch { 0 => "usual place", 1 => "query", 2 => "body", _ => "query and body" });
        var target = path + Query(queryParams, idKey, recipe);
        var headers = new List<(string, string)> { ("Authorization", authorization) };
        byte[]? body = null;
        if (bodyParams is not null)
        {
            body = Body(bodyParams, idKey, recipe, out var contentType);
            if (contentType is not null)
            {
                headers.Add(("Content-Type", contentType));
            }
        }

        var chunked = body is not null && random.Next(4) == 0;
        if (chunked)
        {
            recipe.Add("chunked");
        }

        return new Probe(method, target, headers, body, chunked, string.Join(", ", recipe));
    }

    private string MethodVariant(string method, List<string> recipe)
    {
        switch (random.Next(10))
        {
            case 0:
                var other = Methods[random.Next(Methods.Length)];
                recipe.Add($"method {other}");
                return other;
            case 1:
                recipe.Add("method in lower case");
                return method.ToLowerInvariant();
            default:
                return method;
        }
    }

    private string PathVariant(string path, List<string> recipe)
    {
        switch (random.Next(12))
        {
            case 0:
                recipe.Add("letter case");
                return new string(path.Select(c => char.IsAsciiLetter(c) && random.Next(3) == 0 ? char.ToUpperInvariant(c) : c).ToArray());
            case 1:
                recipe.Add("trailing slash");
                return path + "/";
            case 2:
                recipe.Add("doubled slash");
                var slash = Slashes(path)[random.Next(Slashes(path).Count)];
                return path[..slash] + "/" + path[slash..];
            case 3:
                recipe.Add("percent-encoded letter");
                var letters = Enumerable.Range(0, path.Length).Where(i => char.IsAsciiLetterLower(path[i]) || path[i] == '-').ToList();
                var at = letters[random.Next(letters.Count)];
                return path[..at] + "%" + ((int)path[at]).ToString("X2", CultureInfo.InvariantCulture) + path[(at + 1)..];
            case 4 when Slashes(path).Count > 1:
                recipe.Add("encoded slash");
                var encoded = Slashes(path).Skip(1).ToList();
                var which = encoded[random.Next(encoded.Count)];
                return path[..which] + "%2F" + path[(which + 1)..];
            case 5:
                recipe.Add("dot segments");
                var cut = Slashes(path)[random.Next(Slashes(path).Count)];
                return path[..cut] + (random.Next(2) == 0 ? "/." : "/x/..") + path[cut..];
            case 6:
                recipe.Add("other prefix");
                return path.StartsWith("/api/", StringComparison.Ordinal) ? "/ajax-api/" + path["/api/".Length..]
                    : path.StartsWith("/ajax-api/", StringComparison.Ordinal) ? "/api/" + path["/ajax-api/".Length..]
                    : "/api/2.0/mlflow" + path;
            case 7 when Slashes(path).Count > 1:
                recipe.Add("backslash");
                var back = Slashes(path).Skip(1).ToList();
                var b = back[random.Next(back.Count)];
                return path[..b] + "\\" + path[(b + 1)..];
            default:
                return path;
        }
    }

    private static List<int> Slashes(string path) => Enumerable.Range(0, path.Length).Where(i => path[i] == '/').ToList();

    // An artifact path spelled otherwise: a leading slash, dot segments, zeros before the experiment id.
    private string Disguise(string path, List<string> recipe)
    {
        switch (random.Next(6))
        {
            case 0:
                recipe.Add("artifact path with ./");
                return "./" + path;
            case 1:
                recipe.Add("artifact path with leading zeros");
                return "00" + path;
            case 2:
                recipe.Add("artifact path through ..");
                return "999/../" + path;
            case 3:
                recipe.Add("artifact path with an empty segment");
                return path.Replace("/", "//", StringComparison.Ordinal);
            default:
                return path;
        }
    }

    private void DisguiseId(JsonObject parameters, string key, List<string> recipe)
    {
        var value = parameters[key];
        var text = value is JsonValue scalar ? scalar.ToString() : null;
        switch (random.Next(9))
        {
            case 0 when key == "run_id" && text is not null:
                recipe.Add("empty run_id, run_uuid names it");
                parameters["run_id"] = random.Next(2) == 0 ? "" : null;
                parameters["run_uuid"] = text;
                break;
            case 1 when key == "run_id" && text is not null:
                recipe.Add("run_uuid only");
                parameters.Remove("run_id");
                parameters["run_uuid"] = text;
                break;
            case 2 when text is not null && long.TryParse(text, CultureInfo.InvariantCulture, out var number):
                recipe.Add("id as a JSON number");
                parameters[key] = number;
                break;
            case 3 when text is not null && text.All(char.IsAsciiDigit):
                recipe.Add("id with leading zeros");
                parameters[key] = "000" + text;
                break;
            case 4 when text is not null:
                recipe.Add("id padded");
                parameters[key] = random.Next(2) == 0 ? " " + text : text + " ";
                break;
            case 5 when text is not null:
                recipe.Add("id in an array");
                parameters[key] = new JsonArray(text, RouteTemplates.Decoy);
                break;
            case 6 when text is not null:
                recipe.Add("id in an object");
                parameters[key] = new JsonObject { [key] = text };
                break;
            case 7:
                recipe.Add("key in upper case beside a decoy");
                parameters.Remove(key);
                parameters[key.ToUpperInvariant()] = value?.DeepClone();
                parameters[key] = RouteTemplates.Decoy;
                break;
            default:
                break;
        }
    }

    private JsonObject? Decoyed(JsonObject parameters, string? idKey, List<string> recipe)
    {
        if (idKey is null || random.Next(2) == 0)
        {
            return parameters;
        }

        recipe.Add("decoy id");
        var copy = (JsonObject)parameters.DeepClone();
        copy[idKey] = RouteTemplates.Decoy;
        return copy;
    }

    private string Query(JsonObject? parameters, string? idKey, List<string> recipe)
    {
        if (parameters is null)
        {
            return random.Next(10) == 0 ? "?" : "";
        }

        var pairs = new List<(string Key, string Value)>();
        foreach (var (key, value) in parameters)
        {
            switch (value)
            {
                case null:
                    pairs.Add((key, ""));
                    break;
                case JsonArray array:
                    pairs.AddRange(array.Select(item => (key, item?.ToString() ?? "")));
                    break;
                case JsonObject:
                    pairs.Add((key, value.ToJsonString()));
                    break;
                default:
                    pairs.Add((key, value.ToString()));
                    break;
            }
        }

        if (idKey is not null && random.Next(5) == 0)
        {
            recipe.Add("query key repeated with a decoy");
            var index = pairs.FindIndex(p => p.Key == idKey);
            if (index >= 0)
            {
                pairs.Insert(random.Next(2) == 0 ? index : index + 1, (idKey, RouteTemplates.Decoy));
            }
        }

        return "?" + string.Join('&', pairs.Select(p => Escape(p.Key) + "=" + Escape(p.Value)));
    }

    private string Escape(string text)
    {
        var escaped = Uri.EscapeDataString(text);
        // Now and then a letter percent-encoded too, which a decoder must read as the letter.
        return random.Next(10) == 0 && escaped.Length > 0 ? "%" + ((int)escaped[0]).ToString("X2", CultureInfo.InvariantCulture) + escaped[1..] : escaped;
    }

    private byte[] Body(JsonObject parameters, string? idKey, List<string> recipe, out string? contentType)
    {
        contentType = random.Next(12) switch
        {
            0 => null,
            1 => "text/plain",
            2 => "APPLICATION/JSON; charset=utf-8",
            3 => "application/x-www-form-urlencoded",
            _ => "application/json",
        };
        if (contentType is not "application/json")
        {
            recipe.Add($"content type {contentType ?? "none"}");
        }

        var json = parameters.ToJsonString();
        switch (random.Next(10))
        {
            case 0:
                recipe.Add("double-encoded body");
                return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(json));
            case 1:
                recipe.Add("byte order mark");
                return [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)];
            case 2 when idKey is not null:
                recipe.Add("duplicate key with a decoy");
                var decoy = $"\"{idKey}\":\"{RouteTemplates.Decoy}\"";
                var inner = json[1..^1];
                return Encoding.UTF8.GetBytes(random.Next(2) == 0 ? "{" + decoy + "," + inner + "}" : "{" + inner + "," + decoy + "}");
            case 3 when idKey is not null && parameters[idKey] is JsonValue id:
                recipe.Add("id spelled with \\u escapes");
                var escapedId = string.Concat(id.ToString().Select(c => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture)));
                return Encoding.UTF8.GetBytes(json.Replace(JsonSerializer.Serialize(id.ToString()), "\"" + escapedId + "\"", StringComparison.Ordinal));
            case 4:
                recipe.Add("invalid UTF-8");
                var bytes = Encoding.UTF8.GetBytes(json).ToList();
                var quote = bytes.LastIndexOf((byte)'"');
                bytes.Insert(Math.Max(quote, 1), 0xFF);
                return [.. bytes];
            case 5:
                recipe.Add("lone surrogate");
                return Encoding.UTF8.GetBytes(json[..^1] + ",\"note\":\"\\ud800\"}");
            case 6:
                recipe.Add("form-encoded body");
                return Encoding.UTF8.GetBytes(string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value?.ToString() ?? ""))));
            default:
                return Encoding.UTF8.GetBytes(json);
        }
    }
}
