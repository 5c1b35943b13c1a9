//! TLS for the runner's server connections, on rustls with the ring provider (no OpenSSL):
//! libpq's `sslmode` family for PostgreSQL and the MySQL drivers' `ssl_*` keys. Reading
//! the options is pure (the environment comes in as a function) so every spelling is
//! unit-tested; a failed handshake is translated into what failed and what to set.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// libpq's `sslmode`, in libpq's order of strength.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

const SSLMODES: &str = "disable, allow, prefer, require, verify-ca or verify-full";

impl SslMode {
    /// libpq's spellings, which are case-sensitive there too.
    pub fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where the trusted roots come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RootCert {
    /// None named: libpq's `~/.postgresql/root.crt` if it exists, else (for `verify-*`)
    /// the system's CA bundle.
    Default,
    File(PathBuf),
    /// `sslrootcert=system` (libpq 16): the system's CA bundle, and `verify-full` only.
    System,
}

/// How much of the server's certificate is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    /// Encrypt only: the certificate is not checked (the handshake's signatures still are).
    None,
    /// The chain up to a trusted root, not the host name.
    Chain,
    /// The chain and the host name.
    Full,
}

/// The PostgreSQL TLS options of one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgTls {
    pub mode: SslMode,
    pub root_cert: RootCert,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

impl PgTls {
    /// From the URL's query (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`), else the
    /// environment (`PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY`): the URL wins,
    /// as in libpq. Empty values count as unset.
    pub fn from_query(query: &[(String, String)], env: &dyn Fn(&str) -> Option<String>) -> Result<PgTls, String> {
        let get = |key: &str, var: &str| -> Option<(String, String)> {
            let from_url = query.iter().rev().find(|(k, v)| k == key && !v.is_empty());
            match from_url {
                Some((_, v)) => Some((v.clone(), "in the URL".to_string())),
                None => env(var).filter(|v| !v.is_empty()).map(|v| (v.clone(), format!("{var}={v}"))),
            }
        };
        let root_cert = match get("sslrootcert", "PGSSLROOTCERT") {
            None => RootCert::Default,
            Some((v, _)) if v == "system" => RootCert::System,
            Some((v, _)) => RootCert::File(PathBuf::from(v)),
        };
        let mode = match get("sslmode", "PGSSLMODE") {
            Some((v, origin)) => {
                let mode = SslMode::parse(&v).ok_or_else(|| format!("invalid sslmode value \"{v}\" ({origin}): use {SSLMODES}"))?;
                if root_cert == RootCert::System && mode != SslMode::VerifyFull {
                    return Err(format!(
                        "weak sslmode \"{v}\" may not be used with sslrootcert=system ({origin}): use verify-full, \
                         or name a root certificate file"
                    ));
                }
                mode
            }
            // libpq 16: the system's roots only make sense with the host name checked.
            None if root_cert == RootCert::System => SslMode::VerifyFull,
            None => SslMode::Prefer,
        };
        Ok(PgTls {
            mode,
            root_cert,
            cert: get("sslcert", "PGSSLCERT").map(|(v, _)| PathBuf::from(v)),
            key: get("sslkey", "PGSSLKEY").map(|(v, _)| PathBuf::from(v)),
        })
    }

    /// What is checked, given whether a root certificate file is at hand (named, or
    /// libpq's default one exists). libpq verifies the chain whenever it has a root file,
    /// also in `require` (its documented compatibility rule) and in `prefer`/`allow`.
    pub fn verify(&self, have_root_file: bool) -> Verify {
        match self.mode {
            SslMode::VerifyFull => Verify::Full,
            SslMode::VerifyCa => Verify::Chain,
            _ if have_root_file => Verify::Chain,
            _ => Verify::None,
        }
    }

    /// The rustls configuration for this connection, and where its roots came from (for
    /// messages).
    pub fn client_config(&self, home: Option<&Path>) -> Result<(ClientConfig, Roots), String> {
        let default_file = |name: &str| home.map(|h| h.join(".postgresql").join(name)).filter(|p| p.is_file());
        let root_file = match &self.root_cert {
            RootCert::File(p) => Some(p.clone()),
            RootCert::Default => default_file("root.crt"),
            RootCert::System => None,
        };
        let verify = self.verify(root_file.is_some());
        let roots = match (verify, &root_file) {
            (Verify::None, _) => Roots::Unused,
            (_, Some(f)) => Roots::File(
                f.clone(),
                if self.root_cert == RootCert::Default {
                    "the default root certificate"
                } else {
                    "sslrootcert"
                },
            ),
            (_, None) => Roots::System,
        };
        // libpq: a client certificate (named, or the default one if it exists) needs its key.
        let cert = self.cert.clone().or_else(|| default_file("postgresql.crt"));
        let identity = match cert {
            Some(cert) => {
                let key = self
                    .key
                    .clone()
                    .or_else(|| home.map(|h| h.join(".postgresql").join("postgresql.key")));
                let Some(key) = key.filter(|k| k.is_file()) else {
                    return Err(format!(
                        "certificate present, but not private key file (sslcert {}: set sslkey=FILE)",
                        cert.display()
                    ));
                };
                Some(load_identity(&cert, &key, "sslcert", "sslkey")?)
            }
            None => None,
        };
        Ok((client_config(verify, &roots, identity)?, roots))
    }

    /// The words a message uses for this connection's options.
    pub fn vocabulary(&self, roots: &Roots) -> Vocabulary {
        // require with a root file verifies (libpq): not verifying means no root file.
        let no_verify = match roots {
            Roots::File(..) if self.mode <= SslMode::Require => "sslmode=require without a root certificate file".into(),
            _ => "sslmode=require".into(),
        };
        Vocabulary {
            mode: format!("sslmode={}", self.mode.name()),
            set_root: "sslrootcert=FILE",
            no_verify,
            chain_only: "verify-ca",
            roots: roots.describe(),
        }
    }
}

/// The trusted roots a configuration was built with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Roots {
    Unused,
    /// A file, and the option that named it.
    File(PathBuf, &'static str),
    System,
}

impl Roots {
    fn describe(&self) -> String {
        match self {
            Roots::Unused => "no roots".into(),
            Roots::File(p, key) => format!("{key} {}", p.display()),
            Roots::System => system_store_name(),
        }
    }
}

/// MySQL's `--ssl-mode` (mysqlclient's `ssl_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MySslMode {
    Disabled,
    Preferred,
    Required,
    VerifyCa,
    VerifyIdentity,
}

impl MySslMode {
    /// Any case, `-` for `_` (the CLI's and the drivers' spellings).
    pub fn parse(s: &str) -> Option<MySslMode> {
        Some(match s.to_ascii_uppercase().replace('-', "_").as_str() {
            "DISABLED" => MySslMode::Disabled,
            "PREFERRED" => MySslMode::Preferred,
            "REQUIRED" => MySslMode::Required,
            "VERIFY_CA" => MySslMode::VerifyCa,
            "VERIFY_IDENTITY" => MySslMode::VerifyIdentity,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            MySslMode::Disabled => "DISABLED",
            MySslMode::Preferred => "PREFERRED",
            MySslMode::Required => "REQUIRED",
            MySslMode::VerifyCa => "VERIFY_CA",
            MySslMode::VerifyIdentity => "VERIFY_IDENTITY",
        }
    }

    pub fn verify(self) -> Verify {
        match self {
            MySslMode::VerifyIdentity => Verify::Full,
            MySslMode::VerifyCa => Verify::Chain,
            _ => Verify::None,
        }
    }
}

/// The MySQL/MariaDB TLS options of one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyTls {
    pub mode: MySslMode,
    /// What chose the mode, for messages (`ssl_mode=REQUIRED`, `ssl_ca`, the default).
    pub origin: String,
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

impl MyTls {
    /// From the URL's query: mysqlclient's `ssl_mode`, `ssl_ca`, `ssl_cert`, `ssl_key`,
    /// PyMySQL's `ssl_verify_cert`/`ssl_verify_identity` (and SQLAlchemy's
    /// `ssl_check_hostname`), each also in the mysql CLI's spelling (`ssl-mode`, `ssl-ca`…).
    ///
    /// Without `ssl_mode`: PyMySQL's rules (a CA file turns on the certificate and host
    /// name checks, `ssl_verify_*` set them, any other `ssl_*` key encrypts), and with no
    /// key at all `PREFERRED`, the mysql CLI's and libmysqlclient's default.
    pub fn from_query(query: &[(String, String)]) -> Result<MyTls, String> {
        let mut mode = None;
        let (mut ca, mut cert, mut key) = (None, None, None);
        let (mut verify_cert, mut verify_identity) = (None, None);
        for (k, v) in query {
            let norm = k.to_ascii_lowercase().replace('-', "_");
            if !norm.starts_with("ssl") {
                continue;
            }
            let path = || (!v.is_empty()).then(|| PathBuf::from(v));
            match norm.as_str() {
                "ssl_mode" => {
                    let m = MySslMode::parse(v).ok_or_else(|| {
                        format!("invalid {k} value \"{v}\" in the URL: use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY")
                    })?;
                    mode = Some((m, format!("{k}={v}")));
                }
                "ssl_ca" => ca = path(),
                "ssl_cert" => cert = path(),
                "ssl_key" => key = path(),
                "ssl_verify_cert" => verify_cert = Some(boolean(k, v)?),
                "ssl_verify_identity" | "ssl_check_hostname" => verify_identity = Some((boolean(k, v)?, k.clone())),
                "ssl_capath" | "ssl_cipher" | "ssl_crl" | "ssl_crlpath" => {
                    return Err(format!(
                        "{k} is not supported by migplan's runner (rustls): give the CA certificates as one PEM file in ssl_ca"
                    ));
                }
                _ => {}
            }
        }
        if cert.is_some() != key.is_some() {
            let (given, missing) = if cert.is_some() {
                ("ssl_cert", "ssl_key")
            } else {
                ("ssl_key", "ssl_cert")
            };
            return Err(format!(
                "{given} needs {missing} too in the URL (the client certificate and its private key)"
            ));
        }
        let (mode, origin) = match mode {
            Some(m) => m,
            None => match (verify_identity, verify_cert) {
                (Some((true, k)), _) => (MySslMode::VerifyIdentity, format!("{k}=true")),
                (_, Some(true)) => (MySslMode::VerifyCa, "ssl_verify_cert=true".into()),
                (_, Some(false)) => (MySslMode::Required, "ssl_verify_cert=false".into()),
                (Some((false, k)), None) if ca.is_some() => (MySslMode::VerifyCa, format!("ssl_ca with {k}=false")),
                (Some((false, k)), None) => (MySslMode::Required, format!("{k}=false")),
                (None, None) if ca.is_some() => (MySslMode::VerifyIdentity, "ssl_ca".into()),
                (None, None) if cert.is_some() => (MySslMode::Required, "ssl_cert".into()),
                (None, None) => (MySslMode::Preferred, "the default ssl_mode".into()),
            },
        };
        Ok(MyTls {
            mode,
            origin,
            ca,
            cert,
            key,
        })
    }

    /// The mode for messages: `ssl_mode=REQUIRED`, or `ssl_mode=VERIFY_IDENTITY, from ssl_ca`
    /// when other keys chose it.
    pub fn label(&self) -> String {
        match self.implied_by() {
            None => self.origin.clone(),
            Some(origin) => format!("ssl_mode={}, from {origin}", self.mode.name()),
        }
    }

    /// The keys that chose the mode, when it was not given as `ssl_mode`.
    pub fn implied_by(&self) -> Option<&str> {
        let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
        (norm(&self.origin) != norm(&format!("ssl_mode={}", self.mode.name()))).then_some(self.origin.as_str())
    }

    pub fn vocabulary(&self) -> Vocabulary {
        Vocabulary {
            mode: format!("ssl_mode={}", self.mode.name()),
            set_root: "ssl_ca=FILE",
            no_verify: "ssl_mode=REQUIRED".into(),
            chain_only: "ssl_mode=VERIFY_CA",
            roots: match &self.ca {
                Some(p) => format!("ssl_ca {}", p.display()),
                None => system_store_name(),
            },
        }
    }
}

fn boolean(key: &str, v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("invalid {key} value \"{v}\" in the URL: use true or false")),
    }
}

// ---------------------------------------------------------------------------------------
// rustls configuration
// ---------------------------------------------------------------------------------------

/// Ring, named explicitly: the build holds no other provider, but a process default set
/// by a dependency must not change which one the runner uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Make ring the process default too, for code that asks rustls for it (the `mysql`
/// crate's `ClientConfig::builder()`); a default already set stays.
pub fn install_default_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn client_config(
    verify: Verify,
    roots: &Roots,
    identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
) -> Result<ClientConfig, String> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    let builder = match verify {
        Verify::None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider))),
        Verify::Chain | Verify::Full => {
            let store = match roots {
                Roots::File(p, key) => load_roots(p, key)?,
                _ => system_roots(),
            };
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                .build()
                .map_err(|e| format!("TLS setup: {e}"))?;
            if verify == Verify::Full {
                builder.with_webpki_verifier(webpki)
            } else {
                builder.dangerous().with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
            }
        }
    };
    match identity {
        Some((certs, key)) => builder
            .with_client_auth_cert(certs, key)
            .map_err(|e| format!("the client certificate and key do not go together: {e}")),
        None => Ok(builder.with_no_client_auth()),
    }
}

fn load_roots(path: &Path, key: &str) -> Result<RootCertStore, String> {
    let certs = read_certs(path, key)?;
    let mut store = RootCertStore::empty();
    for (i, c) in certs.into_iter().enumerate() {
        store
            .add(c)
            .map_err(|e| format!("{key} {}: certificate {} is not usable: {e}", path.display(), i + 1))?;
    }
    Ok(store)
}

fn read_certs(path: &Path, key: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("{key}: cannot read {}: {}", path.display(), pem_error(e)))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{key} {}: {}", path.display(), pem_error(e)))?;
    if certs.is_empty() {
        return Err(format!("{key} {}: no PEM certificate in the file", path.display()));
    }
    Ok(certs)
}

fn load_identity(
    cert: &Path,
    key: &Path,
    cert_key: &str,
    key_key: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let certs = read_certs(cert, cert_key)?;
    let pk = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key_key} {}: {}", key.display(), pem_error(e)))?;
    Ok((certs, pk))
}

fn pem_error(e: rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) => io.to_string(),
        rustls::pki_types::pem::Error::NoItemsFound => "no PEM item of the expected kind in the file".into(),
        other => format!("not a valid PEM file ({other:?})"),
    }
}

/// The distributions' CA bundles, as OpenSSL's probes list them.
const CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The system's roots for messages: `the system's CA bundle /etc/ssl/certs/ca-certificates.crt`.
fn system_store_name() -> String {
    match system_bundle() {
        Some(p) => format!("the system's CA bundle {}", p.display()),
        None => "the system's CA store".into(),
    }
}

/// The system's CA bundle file, if the machine has one of the usual ones.
pub fn system_bundle() -> Option<PathBuf> {
    if let Some(f) = std::env::var_os("SSL_CERT_FILE") {
        return Some(PathBuf::from(f));
    }
    CA_BUNDLES.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// The system's trusted CAs: the bundle file (`SSL_CERT_FILE`, else the distribution's),
/// not the certificate directory that rustls-native-certs also reads (`SSL_CERT_DIR`,
/// `/etc/ssl/certs`): that directory holds certificates that are no CAs, like Debian's
/// self-signed snakeoil one, which must not become trusted roots. The directory and the
/// platform's store only without a bundle; webpki-roots when nothing is found.
fn system_roots() -> RootCertStore {
    let mut store = RootCertStore::empty();
    match system_bundle() {
        Some(bundle) => {
            if let Ok(iter) = CertificateDer::pem_file_iter(&bundle) {
                store.add_parsable_certificates(iter.filter_map(Result::ok));
            }
        }
        None => {
            store.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
    }
    if store.is_empty() {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    store
}

/// `require` without a root certificate: encrypted, the certificate taken as it is. The
/// handshake's signatures are still checked, so the key exchange is with the certificate's
/// holder.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: webpki's checks minus the host name (webpki checks the chain first, so a
/// name error means the chain was good).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })) => {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

/// How one driver's options are named in messages.
#[derive(Clone, Debug)]
pub struct Vocabulary {
    /// The mode in force and what set it: `sslmode=verify-full`.
    pub mode: String,
    pub set_root: &'static str,
    pub no_verify: String,
    pub chain_only: &'static str,
    /// Where the trusted roots came from.
    pub roots: String,
}

/// The rustls error somewhere in an error's chain (io errors wrap it without exposing
/// it as their `source`).
pub fn find_rustls<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(inner) = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            if let Some(r) = inner.downcast_ref::<rustls::Error>() {
                return Some(r);
            }
            if let Some(r) = find_rustls(inner) {
                return Some(r);
            }
        }
        cur = err.source();
    }
    None
}

/// What a failed handshake means and what to set, for the host `host`.
pub fn explain(e: &rustls::Error, host: &str, v: &Vocabulary) -> String {
    use CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => format!(
                "the server's certificate is not trusted: unknown issuer ({} checks it against {}; set {} to the server's \
                 CA certificate, or {} to encrypt without verifying)",
                v.mode, v.roots, v.set_root, v.no_verify
            ),
            C::NotValidForNameContext { presented, .. } if !presented.is_empty() => {
                let names: Vec<String> = presented.iter().map(|n| presented_name(n)).collect();
                let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                format!(
                    "the certificate is for {}, not `{host}` ({} checks the host name; use {} or connect to {})",
                    quoted.join(", "),
                    v.mode,
                    v.chain_only,
                    names[0].trim_start_matches("*.")
                )
            }
            C::NotValidForName | C::NotValidForNameContext { .. } => format!(
                "the certificate is not for `{host}` ({} checks the host name; use {} or connect to the name in the certificate)",
                v.mode, v.chain_only
            ),
            C::Expired | C::ExpiredContext { .. } => format!(
                "the server's certificate has expired ({}; renew it on the server, or {} to encrypt without verifying)",
                v.mode, v.no_verify
            ),
            C::NotValidYet | C::NotValidYetContext { .. } => {
                format!("the server's certificate is not valid yet (check the clocks; {})", v.mode)
            }
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => format!(
                "the server's certificate is not one for a TLS server ({}; {} encrypts without verifying)",
                v.mode, v.no_verify
            ),
            other => format!(
                "the server's certificate was rejected: {other:?} ({}; {} encrypts without verifying)",
                v.mode, v.no_verify
            ),
        },
        rustls::Error::AlertReceived(alert) => format!(
            "the server ended the TLS handshake ({alert:?}): it may want a client certificate (sslcert/sslkey, ssl_cert/ssl_key) \
             or a TLS version or cipher rustls does not offer ({})",
            v.mode
        ),
        other => format!("TLS handshake failed: {other} ({})", v.mode),
    }
}

/// A name as rustls lists it (`DnsName("localhost")`, `IpAddress(10.0.0.1)`), bare.
fn presented_name(n: &str) -> String {
    match (n.find('('), n.strip_suffix(')')) {
        (Some(open), Some(inner)) if n[..open].chars().all(|c| c.is_ascii_alphanumeric()) => {
            inner[open + 1..].trim_matches('"').to_string()
        }
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn pg(pairs: &[(&str, &str)]) -> Result<PgTls, String> {
        PgTls::from_query(&q(pairs), &no_env)
    }

    fn my(pairs: &[(&str, &str)]) -> Result<MyTls, String> {
        MyTls::from_query(&q(pairs))
    }

    #[test]
    fn every_sslmode_spelling() {
        for (s, m) in [
            ("disable", SslMode::Disable),
            ("allow", SslMode::Allow),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            assert_eq!(pg(&[("sslmode", s)]).unwrap().mode, m);
            assert_eq!(m.name(), s);
        }
        // libpq's default.
        assert_eq!(pg(&[]).unwrap().mode, SslMode::Prefer);
        assert_eq!(pg(&[("sslmode", "")]).unwrap().mode, SslMode::Prefer);
    }

    #[test]
    fn bad_sslmode_names_the_key_and_the_choices() {
        let e = pg(&[("sslmode", "REQUIRE")]).unwrap_err();
        assert!(
            e.contains("invalid sslmode value \"REQUIRE\"") && e.contains("in the URL") && e.contains("verify-full"),
            "{e}"
        );
        let env = |k: &str| (k == "PGSSLMODE").then(|| "verify_full".to_string());
        let e = PgTls::from_query(&[], &env).unwrap_err();
        assert!(e.contains("PGSSLMODE=verify_full"), "{e}");
    }

    #[test]
    fn url_wins_over_the_environment() {
        let env = |k: &str| match k {
            "PGSSLMODE" => Some("verify-full".to_string()),
            "PGSSLROOTCERT" => Some("/env/root.crt".to_string()),
            "PGSSLCERT" => Some("/env/c.crt".to_string()),
            "PGSSLKEY" => Some("/env/c.key".to_string()),
            _ => None,
        };
        let t = PgTls::from_query(&[], &env).unwrap();
        assert_eq!(t.mode, SslMode::VerifyFull);
        assert_eq!(t.root_cert, RootCert::File("/env/root.crt".into()));
        assert_eq!(t.cert.as_deref(), Some(Path::new("/env/c.crt")));
        assert_eq!(t.key.as_deref(), Some(Path::new("/env/c.key")));
        let t = PgTls::from_query(&q(&[("sslmode", "disable"), ("sslrootcert", "/url/root.crt")]), &env).unwrap();
        assert_eq!(t.mode, SslMode::Disable);
        assert_eq!(t.root_cert, RootCert::File("/url/root.crt".into()));
        // A bad environment value does not matter when the URL sets the key.
        let bad = |k: &str| (k == "PGSSLMODE").then(|| "bogus".to_string());
        assert_eq!(
            PgTls::from_query(&q(&[("sslmode", "require")]), &bad).unwrap().mode,
            SslMode::Require
        );
    }

    #[test]
    fn sslrootcert_system() {
        let t = pg(&[("sslrootcert", "system")]).unwrap();
        assert_eq!((t.mode, t.root_cert), (SslMode::VerifyFull, RootCert::System));
        assert!(pg(&[("sslrootcert", "system"), ("sslmode", "verify-full")]).is_ok());
        let e = pg(&[("sslrootcert", "system"), ("sslmode", "require")]).unwrap_err();
        assert!(e.contains("weak sslmode \"require\"") && e.contains("verify-full"), "{e}");
    }

    #[test]
    fn what_is_verified() {
        let t = |m: &str| pg(&[("sslmode", m)]).unwrap();
        assert_eq!(t("require").verify(false), Verify::None);
        assert_eq!(t("prefer").verify(false), Verify::None);
        // libpq: with a root certificate file, require (and prefer, allow) check the chain.
        assert_eq!(t("require").verify(true), Verify::Chain);
        assert_eq!(t("verify-ca").verify(false), Verify::Chain);
        assert_eq!(t("verify-full").verify(false), Verify::Full);
        assert_eq!(t("verify-full").verify(true), Verify::Full);
    }

    #[test]
    fn missing_files_are_clear_errors() {
        let t = pg(&[("sslmode", "verify-ca"), ("sslrootcert", "/nonexistent/root.crt")]).unwrap();
        let e = t.client_config(None).map(|_| ()).unwrap_err();
        assert!(e.contains("sslrootcert") && e.contains("/nonexistent/root.crt"), "{e}");
        let t = pg(&[("sslmode", "require"), ("sslcert", "/nonexistent/c.crt")]).unwrap();
        let e = t.client_config(None).map(|_| ()).unwrap_err();
        assert!(e.contains("sslkey"), "{e}");
        // No default files without a home.
        assert!(pg(&[("sslmode", "require")]).unwrap().client_config(None).is_ok());
    }

    #[test]
    fn mysql_key_spellings() {
        for (k, v, m) in [
            ("ssl_mode", "DISABLED", MySslMode::Disabled),
            ("ssl_mode", "preferred", MySslMode::Preferred),
            ("ssl-mode", "REQUIRED", MySslMode::Required),
            ("ssl_mode", "VERIFY_CA", MySslMode::VerifyCa),
            ("ssl-mode", "verify-identity", MySslMode::VerifyIdentity),
        ] {
            assert_eq!(my(&[(k, v)]).unwrap().mode, m, "{k}={v}");
        }
        assert_eq!(my(&[]).unwrap().mode, MySslMode::Preferred);
        let t = my(&[("ssl-ca", "/ca.pem"), ("ssl-cert", "/c.pem"), ("ssl-key", "/k.pem")]).unwrap();
        assert_eq!(t.ca.as_deref(), Some(Path::new("/ca.pem")));
        assert_eq!(t.cert.as_deref(), Some(Path::new("/c.pem")));
        assert_eq!(t.key.as_deref(), Some(Path::new("/k.pem")));
        // PyMySQL: a CA checks the certificate and the host name unless told otherwise.
        assert_eq!(t.mode, MySslMode::VerifyIdentity);
        assert_eq!(t.label(), "ssl_mode=VERIFY_IDENTITY, from ssl_ca");
        assert_eq!(
            my(&[("ssl_ca", "/ca.pem"), ("ssl_verify_identity", "false")]).unwrap().mode,
            MySslMode::VerifyCa
        );
        assert_eq!(my(&[("ssl_verify_cert", "true")]).unwrap().mode, MySslMode::VerifyCa);
        assert_eq!(my(&[("ssl_verify_cert", "0")]).unwrap().mode, MySslMode::Required);
        assert_eq!(my(&[("ssl_verify_identity", "yes")]).unwrap().mode, MySslMode::VerifyIdentity);
        assert_eq!(my(&[("ssl_check_hostname", "true")]).unwrap().mode, MySslMode::VerifyIdentity);
        assert_eq!(my(&[("ssl_cert", "/c"), ("ssl_key", "/k")]).unwrap().mode, MySslMode::Required);
        // An explicit mode wins over the PyMySQL keys.
        assert_eq!(
            my(&[("ssl_verify_cert", "true"), ("ssl_mode", "REQUIRED")]).unwrap().mode,
            MySslMode::Required
        );
        assert_eq!(my(&[("ssl_mode", "REQUIRED")]).unwrap().label(), "ssl_mode=REQUIRED");
        assert_eq!(my(&[("ssl-mode", "verify-ca")]).unwrap().label(), "ssl-mode=verify-ca");
        // Other keys are not TLS's.
        assert_eq!(my(&[("charset", "utf8mb4")]).unwrap().mode, MySslMode::Preferred);
    }

    #[test]
    fn bad_mysql_values_name_the_key() {
        let e = my(&[("ssl-mode", "ON")]).unwrap_err();
        assert!(e.contains("invalid ssl-mode value \"ON\"") && e.contains("VERIFY_IDENTITY"), "{e}");
        let e = my(&[("ssl_verify_cert", "maybe")]).unwrap_err();
        assert!(e.contains("invalid ssl_verify_cert value \"maybe\""), "{e}");
        let e = my(&[("ssl_cert", "/c.pem")]).unwrap_err();
        assert!(e.contains("ssl_cert needs ssl_key"), "{e}");
        let e = my(&[("ssl_capath", "/etc/ssl/certs")]).unwrap_err();
        assert!(e.contains("ssl_capath is not supported"), "{e}");
    }

    #[test]
    fn messages_say_what_failed_and_what_to_set() {
        let t = pg(&[("sslmode", "verify-full")]).unwrap();
        let v = t.vocabulary(&Roots::System);
        let e = explain(&rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer), "db", &v);
        assert!(
            e.contains("unknown issuer") && e.contains("sslrootcert=FILE") && e.contains("sslmode=require"),
            "{e}"
        );
        let name = CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("127.0.0.1").unwrap().to_owned(),
            presented: vec!["DnsName(\"localhost\")".into()],
        };
        let e = explain(&rustls::Error::InvalidCertificate(name), "127.0.0.1", &v);
        assert_eq!(
            e,
            "the certificate is for `localhost`, not `127.0.0.1` (sslmode=verify-full checks the host name; \
             use verify-ca or connect to localhost)"
        );
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        assert!(find_rustls(&io).is_some());
        assert_eq!(presented_name("IpAddress(10.0.0.1)"), "10.0.0.1");
        assert_eq!(presented_name("db.example"), "db.example");
    }
}
