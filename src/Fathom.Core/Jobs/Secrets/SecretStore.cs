using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fathom.Jobs;

/// <summary>
/// The secrets jobs may use, as Kubernetes' Secrets hold them (a name and keys, each with a value), kept encrypted at
/// rest beside the store: one file per secret under <c>secrets/</c>, AES-256-GCM with a fresh nonce per write and the
/// secret's name as associated data (so a file renamed to another secret's name does not decrypt). The key is
/// <c>$FATHOM_SECRETS_KEY</c> (32 bytes, base64), else the file <c>secrets.key</c> beside them, made on first use readable
/// by its owner only; a key file others can read is refused. Values leave this class only through <see cref="Read"/>.
/// </summary>
internal sealed class SecretStore(string folder, Func<string, string?> environment)
{
    /// <summary>The key as base64 (32 bytes), which wins over the key file.</summary>
    public const string KeyVariable = "FATHOM_SECRETS_KEY";

    private const int KeyBytes = 32;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private string SecretsFolder => Path.Combine(folder, "secrets");

    private string KeyFile => Path.Combine(folder, "secrets.key");

    /// <summary>Stores <paramref name="data"/> as the secret <paramref name="name"/>, replacing what it held.</summary>
    public void Write(string name, IReadOnlyDictionary<string, string> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckName(name);
        if (data.Count == 0)
        {
            throw new ArgumentException("a secret needs at least one key (--from-file KEY=PATH, --from-env KEY=VARIABLE or --from-stdin KEY).");
        }

        foreach (var key in data.Keys)
        {
            CheckKey(key);
        }

        var key32 = Key(create: true);
        var plain = JsonSerializer.SerializeToUtf8Bytes(data);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(key32, tag.Length))
        {
            aes.Encrypt(nonce, plain, cipher, tag, Encoding.UTF8.GetBytes(name));
        }

        CryptographicOperations.ZeroMemory(plain);
        Directory.CreateDirectory(SecretsFolder);
        var file = Path.Combine(SecretsFolder, name + ".secret");
        var temporary = file + ".tmp";
        var record = JsonSerializer.SerializeToUtf8Bytes(new SecretFile(1, Convert.ToBase64String(nonce), Convert.ToBase64String(cipher), Convert.ToBase64String(tag), [.. data.Keys.Order(StringComparer.Ordinal)]));
        using (var stream = new FileStream(temporary, OwnerOnlyFile(FileMode.Create)))
        {
            stream.Write(record);
        }

        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>The secrets and their keys, never their values.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<string> Keys)> List()
    {
        if (!Directory.Exists(SecretsFolder))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(SecretsFolder, "*.secret").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileNameWithoutExtension(f), (IReadOnlyList<string>)ReadFile(f).Keys))];
    }

    /// <summary>Deletes the secret; false when there was none of that name.</summary>
    public bool Remove(string name)
    {
        CheckName(name);
        var file = Path.Combine(SecretsFolder, name + ".secret");
        if (!File.Exists(file))
        {
            return false;
        }

        File.Delete(file);
        return true;
    }

    /// <summary>The secret's keys and values, decrypted; for what injects them into a job.</summary>
    public IReadOnlyDictionary<string, string> Read(string name)
    {
        CheckName(name);
        var file = Path.Combine(SecretsFolder, name + ".secret");
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"secret '{name}' does not exist (fathom secret ls lists them).", file);
        }

        var record = ReadFile(file);
        var cipher = Convert.FromBase64String(record.Data);
        var plain = new byte[cipher.Length];
        try
        {
            using var aes = new AesGcm(Key(create: false), AesGcm.TagByteSizes.MaxSize);
            aes.Decrypt(Convert.FromBase64String(record.Nonce), cipher, Convert.FromBase64String(record.Tag), plain, Encoding.UTF8.GetBytes(name));
            return JsonSerializer.Deserialize<Dictionary<string, string>>(plain)!;
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new InvalidDataException($"secret '{name}' does not decrypt with this key (${KeyVariable} or {KeyFile}): another key, or the file was changed.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static SecretFile ReadFile(string file) =>
        JsonSerializer.Deserialize<SecretFile>(File.ReadAllBytes(file)) ?? throw new InvalidDataException($"{file}: not a secret file.");

    private byte[] Key(bool create)
    {
        if (environment(KeyVariable) is { Length: > 0 } given)
        {
            var bytes = TryBase64(given);
            return bytes is { Length: KeyBytes } ? bytes : throw new ArgumentException($"${KeyVariable}: must be {KeyBytes} bytes written as base64 (openssl rand -base64 32).");
        }

        if (!File.Exists(KeyFile))
        {
            if (!create)
            {
                throw new FileNotFoundException($"no secrets key: set ${KeyVariable} or restore {KeyFile}.", KeyFile);
            }

            Directory.CreateDirectory(folder);
            var fresh = RandomNumberGenerator.GetBytes(KeyBytes);
            using var stream = new FileStream(KeyFile, OwnerOnlyFile(FileMode.CreateNew));
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(fresh) + "\n"));
            return fresh;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(KeyFile) & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
        {
            throw new UnauthorizedAccessException($"{KeyFile}: others can read it; refused (chmod 600 {KeyFile}).");
        }

        var key = TryBase64(File.ReadAllText(KeyFile).Trim());
        return key is { Length: KeyBytes } ? key : throw new InvalidDataException($"{KeyFile}: not a key of {KeyBytes} bytes written as base64.");
    }

    // Created readable by its owner only, never briefly wider (a chmod after the write would leave a window).
    private static FileStreamOptions OwnerOnlyFile(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return options;
    }

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    // Kubernetes' Secret names (a DNS subdomain), so the same name works on every executor; also never a path.
    private static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253 || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1])
            || name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')))
        {
            throw new ArgumentException($"name: '{name}' is not a secret name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, as Kubernetes names a Secret).");
        }
    }

    // Kubernetes' Secret keys: letters, digits, '-', '_' and '.'.
    private static void CheckKey(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 253 || key is "." or ".." || key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"key: '{key}' is not a secret key (letters, digits, '-', '_' and '.', as a Kubernetes Secret's keys).");
        }
    }

    private sealed record SecretFile(int Version, string Nonce, string Data, string Tag, string[] Keys);
}
