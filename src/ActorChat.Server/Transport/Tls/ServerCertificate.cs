using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorChat.Server.Configuration;

namespace ActorChat.Server.Transport.Tls;

/// <summary>
/// The certificate the TLS listener and the web chat's HTTPS present, where it came from, and its SHA-256
/// fingerprint: with a self-signed certificate no authority vouches for the server, so clients pin the
/// fingerprint (trust on first use) and the log, the discovery answer and the web page name it.
/// </summary>
public sealed class ServerCertificate
{
    private ServerCertificate(X509Certificate2 certificate, string source)
    {
        Certificate = certificate;
        Source = source;
        Fingerprint = FingerprintOf(certificate);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Where the certificate came from, in words for the log.</summary>
    public string Source { get; }

    /// <summary>The SHA-256 of the certificate (its DER bytes) as 64 lower-case hex digits.</summary>
    public string Fingerprint { get; }

    /// <summary>The fingerprint as browsers show it: upper-case pairs separated by colons.</summary>
    public string DisplayFingerprint => string.Join(':', Enumerable.Range(0, Fingerprint.Length / 2)
        .Select(i => Fingerprint.Substring(i * 2, 2).ToUpperInvariant()));

    /// <summary>The file in the data directory that keeps the generated certificate.</summary>
    public const string GeneratedFileName = "tls-certificate.pfx";

    public static string FingerprintOf(X509Certificate certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>
    /// The certificate to use: the configured file, else the generated one kept in the data directory (made on
    /// first start), else (in-memory store) a new one that is not kept. Throws <see cref="CertificateException"/>
    /// with a one-line reason when the file cannot be used.
    /// </summary>
    public static ServerCertificate Load(TlsSettings tls, PersistenceSettings persistence)
    {
        if (tls.CertificateFile is { } file) return new ServerCertificate(LoadFile(file, tls.CertificatePassword), $"from {file}");
        if (persistence.Store == StoreKind.InMemory)
            return new ServerCertificate(Generate(), "self-signed, generated for this run and not kept (--in-memory)");
        var path = Path.GetFullPath(Path.Combine(persistence.DataDirectory, GeneratedFileName));
        if (File.Exists(path))
        {
            try
            {
                return new ServerCertificate(Usable(X509CertificateLoader.LoadPkcs12FromFile(path, null)), $"self-signed, kept in {path}");
            }
            catch (CryptographicException e)
            {
                throw new CertificateException($"cannot read the TLS certificate {path}: {e.Message.TrimEnd('.')}; delete it to have a new one generated");
            }
        }
        var generated = Generate();
        Keep(generated, path);
        return new ServerCertificate(generated, $"self-signed, generated now and kept in {path}");
    }

    /// <summary>
    /// A self-signed server certificate (ECDSA P-256, SHA-256) for localhost, this machine's name, 127.0.0.1
    /// and ::1, valid from yesterday (clocks differ) for five years.
    /// </summary>
    public static X509Certificate2 Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=ActorChat on {Sanitize(Environment.MachineName)}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        if (Uri.CheckHostName(Environment.MachineName) == UriHostNameType.Dns && Environment.MachineName != "localhost")
            names.AddDnsName(Environment.MachineName);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        return Usable(created);
    }

    private static string Sanitize(string name) => new(name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.').ToArray());

    /// <summary>Reads a PEM file holding certificate and key (the key encrypted when a password is given) or a PFX file.</summary>
    private static X509Certificate2 LoadFile(string file, string? password)
    {
        if (!File.Exists(file)) throw new CertificateException($"the TLS certificate file '{file}' does not exist");
        try
        {
            var text = File.ReadAllText(file);
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                using var pem = password is null
                    ? X509Certificate2.CreateFromPemFile(file)
                    : X509Certificate2.CreateFromEncryptedPemFile(file, password);
                return Usable(pem);
            }
            return Usable(X509CertificateLoader.LoadPkcs12FromFile(file, password));
        }
        catch (CryptographicException e)
        {
            throw new CertificateException(
                $"cannot use the TLS certificate '{file}': {e.Message.TrimEnd('.')} (a PEM file needs the certificate and its private key; a PFX file may need --tls-cert-password)");
        }
    }

    /// <summary>
    /// The certificate with its key as one a TLS server can use on every platform (a key read from PEM is
    /// ephemeral, which Windows' TLS cannot use): exported and read back as PKCS#12.
    /// </summary>
    private static X509Certificate2 Usable(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey) throw new CertificateException($"the TLS certificate {certificate.Subject} comes without its private key");
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes the generated certificate and its key (readable by the owner only) where the next start finds it.</summary>
    private static void Keep(X509Certificate2 certificate, string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".new";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
                stream.Write(certificate.Export(X509ContentType.Pkcs12));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateException($"cannot keep the generated TLS certificate in {path}: {e.Message.TrimEnd('.')}");
        }
    }
}

/// <summary>The certificate cannot be used; the message says why in one line.</summary>
public sealed class CertificateException(string message) : Exception(message);
