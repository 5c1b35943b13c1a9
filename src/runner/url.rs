//! Database URLs in SQLAlchemy's form (`postgresql+psycopg2://u:p@h:5432/db`,
//! `mysql+pymysql://…`, `mariadb://…`, `sqlite:///relative.db`, `sqlite:////abs.db`), and
//! masking their passwords wherever a URL or an error quoting one is printed.

use std::fmt;

/// Which server a URL names (the driver to open).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub backend: Backend,
    /// The URL as given (never printed: see `masked`).
    raw: String,
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The database name, or for SQLite the file path (`:memory:` for none).
    pub database: String,
    /// `?key=value` query arguments.
    pub query: Vec<(String, String)>,
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// The embedded default when no URL is given anywhere.
pub const DEFAULT_URL: &str = "sqlite:///migplan.db";

impl DbUrl {
    /// The SQLAlchemy dialect name of the scheme (`mariadb+pymysql://` → `mariadb`).
    pub fn dialect_name(&self) -> String {
        let scheme = self.raw.split("://").next().unwrap_or_default();
        scheme.split('+').next().unwrap_or(scheme).to_ascii_lowercase()
    }

    pub fn parse(url: &str) -> Result<DbUrl, String> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(format!(
                "database URL '{}' has no scheme: use postgresql://, mysql://, mariadb:// or sqlite:///",
                mask(url)
            ));
        };
        // SQLAlchemy's `dialect+driver`: the driver part names a Python DBAPI, irrelevant here.
        let dialect = scheme.split('+').next().unwrap_or(scheme).to_ascii_lowercase();
        let backend = match dialect.as_str() {
            "sqlite" => Backend::Sqlite,
            "postgresql" | "postgres" => Backend::Postgres,
            "mysql" | "mariadb" => Backend::Mysql,
            other => {
                return Err(format!(
                    "database URL '{}': unsupported database '{other}' (supported: postgresql, mysql, mariadb, sqlite)",
                    mask(url)
                ));
            }
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, parse_query(q)),
            None => (rest, Vec::new()),
        };
        if backend == Backend::Sqlite {
            // sqlite:///rel.db → "rel.db"; sqlite:////abs.db → "/abs.db"; sqlite:// → memory.
            let path = rest.strip_prefix('/').unwrap_or(rest);
            let database = if path.is_empty() {
                ":memory:".to_string()
            } else {
                percent_decode(path)
            };
            return Ok(DbUrl {
                backend,
                raw: url.to_string(),
                user: None,
                password: None,
                host: None,
                port: None,
                database,
                query,
            });
        }
        let (authority, database) = match rest.split_once('/') {
            Some((a, d)) => (a, percent_decode(d)),
            None => (rest, String::new()),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((n, p)) => (Some(percent_decode(n)), Some(percent_decode(p))),
                None => (Some(percent_decode(u)), None),
            },
            None => (None, None),
        };
        let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
            // [::1]:5432
            match stripped.split_once(']') {
                Some((h, p)) => (h.to_string(), p.strip_prefix(':')),
                None => return Err(format!("database URL '{}': unclosed '[' in the host", mask(url))),
            }
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        let port = match port {
            Some("") | None => None,
            Some(p) => Some(
                p.parse::<u16>()
                    // Not quoted: with a '/' or '?' in an unencoded password, it is part of it.
                    .map_err(|_| {
                        format!(
                            "database URL '{}': the port is not a number (a password holding '/', '?', '#' or '@' \
                             must be percent-encoded: %2F, %3F, %23, %40)",
                            mask(url)
                        )
                    })?,
            ),
        };
        Ok(DbUrl {
            backend,
            raw: url.to_string(),
            user,
            password,
            host: if host.is_empty() { None } else { Some(host) },
            port,
            database,
            query,
        })
    }

    /// The URL with its password replaced by `***`.
    pub fn masked(&self) -> String {
        mask(&self.raw)
    }

    /// The same server with another database (each test gets its own).
    pub fn with_database(&self, database: &str) -> DbUrl {
        let mut u = self.clone();
        u.database = database.to_string();
        if let Some((head, _)) = self.raw.split_once("://") {
            let rest = &self.raw[head.len() + 3..];
            let (rest, q) = match rest.split_once('?') {
                Some((r, q)) => (r, Some(q)),
                None => (rest, None),
            };
            let authority = rest.split('/').next().unwrap_or("");
            u.raw = format!("{head}://{authority}/{database}{}", q.map(|q| format!("?{q}")).unwrap_or_default());
        }
        u
    }

    /// The URL as given, password included: only for handing to another program or API,
    /// never for printing.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// The password, for the driver only.
    pub fn secret(&self) -> Option<&str> {
        self.password.as_deref()
    }
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Replace the password of every URL in `text` by `***` (also inside error messages
/// that quote a URL).
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (before, after) = rest.split_at(pos + 3);
        out.push_str(before);
        // The user info ends at the URL's last '@': a password typed without percent-encoding
        // may hold '/', '?', '#' or '@' (masking too much beats printing part of it).
        let end = after
            .find(|c: char| c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(after.len());
        match after[..end].rfind('@') {
            Some(at) => {
                let userinfo = &after[..at];
                match userinfo.split_once(':') {
                    Some((user, _)) if !user.contains('/') => {
                        out.push_str(user);
                        out.push_str(":***@");
                    }
                    _ => out.push_str(&after[..=at]),
                }
                rest = &after[at + 1..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    mask_query_password(&out)
}

/// `?password=…` / `&password=…` (libpq and some drivers accept it) as `password=***`.
fn mask_query_password(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("password=") {
        let is_key = pos > 0 && matches!(rest.as_bytes()[pos - 1], b'?' | b'&');
        let (before, after) = rest.split_at(pos + "password=".len());
        out.push_str(before);
        rest = after;
        if is_key {
            let end = after
                .find(|c: char| c == '&' || c.is_whitespace() || c == '\'' || c == '"')
                .unwrap_or(after.len());
            out.push_str("***");
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    out
}

/// Mask `password` wherever it appears literally (drivers sometimes echo connection options).
pub fn mask_secret(text: &str, password: Option<&str>) -> String {
    let masked = mask(text);
    match password {
        Some(p) if p.len() >= 3 => masked.replace(p, "***"),
        _ => masked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlalchemy_forms() {
        let u = DbUrl::parse("postgresql+psycopg2://alice:s3cr%40t@db.example:6543/app?sslmode=disable").unwrap();
        assert_eq!(u.backend, Backend::Postgres);
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.secret(), Some("s3cr@t"));
        assert_eq!(u.host.as_deref(), Some("db.example"));
        assert_eq!(u.port, Some(6543));
        assert_eq!(u.database, "app");
        assert_eq!(u.query, vec![("sslmode".to_string(), "disable".to_string())]);
        assert_eq!(DbUrl::parse("mysql+pymysql://root@127.0.0.1/test").unwrap().backend, Backend::Mysql);
        assert_eq!(DbUrl::parse("mariadb://root@h/test").unwrap().backend, Backend::Mysql);
        assert_eq!(DbUrl::parse("MariaDB+pymysql://root@h/test").unwrap().dialect_name(), "mariadb");
        assert_eq!(DbUrl::parse("mysql://root@h/test").unwrap().dialect_name(), "mysql");
        assert_eq!(DbUrl::parse("sqlite:///rel/app.db").unwrap().database, "rel/app.db");
        assert_eq!(DbUrl::parse("sqlite:////abs/app.db").unwrap().database, "/abs/app.db");
        assert_eq!(DbUrl::parse("sqlite://").unwrap().database, ":memory:");
        assert_eq!(DbUrl::parse("postgresql://u@[::1]:5432/d").unwrap().host.as_deref(), Some("::1"));
    }

    #[test]
    fn bad_urls_are_errors_without_the_password() {
        let e = DbUrl::parse("oracle://scott:tiger@h/db").unwrap_err();
        assert!(e.contains("unsupported database 'oracle'"), "{e}");
        assert!(!e.contains("tiger"), "{e}");
        let e = DbUrl::parse("postgresql://u:hunter2@h:99999/db").unwrap_err();
        assert!(!e.contains("hunter2") && e.contains("port"), "{e}");
        assert!(DbUrl::parse("just-a-path.db").is_err());
    }

    #[test]
    fn masking() {
        assert_eq!(mask("postgresql://u:pw@h/db"), "postgresql://u:***@h/db");
        assert_eq!(
            mask("failed: 'mysql://root:x@127.0.0.1:3306/test' and sqlite:///a.db"),
            "failed: 'mysql://root:***@127.0.0.1:3306/test' and sqlite:///a.db"
        );
        assert_eq!(mask("postgresql://u@h/db"), "postgresql://u@h/db");
        let u = DbUrl::parse("postgresql://u:pw@h/db").unwrap();
        assert_eq!(format!("{u} {u:?}"), "postgresql://u:***@h/db postgresql://u:***@h/db");
        assert_eq!(mask_secret("auth failed for hunter22", Some("hunter22")), "auth failed for ***");
        assert_eq!(u.with_database("t1").masked(), "postgresql://u:***@h/t1");
        // Passwords typed without percent-encoding, and passwords in the query.
        assert_eq!(mask("postgresql://u:p#w/x?y@h:5432/db x"), "postgresql://u:***@h:5432/db x");
        assert_eq!(mask("mysql://u:p@ss@h/db"), "mysql://u:***@h/db");
        assert_eq!(
            mask("postgresql://u@h/db?sslmode=disable&password=hunter2&x=1"),
            "postgresql://u@h/db?sslmode=disable&password=***&x=1"
        );
        assert_eq!(mask("postgresql://h/db?note=a:b@c"), "postgresql://h/db?note=a:b@c");
        let e = DbUrl::parse("postgresql://u:hunt/er2@h/db").unwrap_err();
        assert!(!e.contains("hunt") && !e.contains("er2"), "{e}");
    }
}
