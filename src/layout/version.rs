//! Migration versions: how each tool orders them.

/// How a tool orders its versions. One layout uses one kind, so keys of different kinds are
/// never compared.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionKey {
    /// An ordered list of unsigned parts (`20240105103000` → [20240105103000], Flyway
    /// `1.2.10` → [1, 2, 10]). Trailing zero parts are dropped, as Flyway compares them.
    Parts(Vec<u64>),
    /// The version as text, compared byte by byte (diesel's `MigrationVersion` is a string).
    Text(String),
}

impl VersionKey {
    /// A small sequential integer version (not a timestamp), for gap detection.
    pub fn small_int(&self) -> Option<u64> {
        match self {
            VersionKey::Parts(p) => match p.as_slice() {
                [n] if *n < 100_000_000 => Some(*n),
                [] => Some(0),
                _ => None,
            },
            VersionKey::Text(_) => None,
        }
    }
}

/// An integer version (`0001`, `20240105103000`).
pub fn parse_int_version(s: &str) -> Result<VersionKey, String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("is not an unsigned integer".into());
    }
    s.parse::<u64>()
        .map(|n| VersionKey::Parts(if n == 0 { vec![] } else { vec![n] }))
        .map_err(|_| "does not fit in 64 bits".into())
}

/// A dotted version (`1.2.3`, Flyway's `1_2_3`), compared part by part numerically.
pub fn parse_dotted_version(s: &str) -> Result<VersionKey, String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    let mut parts = Vec::new();
    for p in s.split(['.', '_']) {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err("is not a dotted list of unsigned integers".into());
        }
        parts.push(
            p.parse::<u64>()
                .map_err(|_| format!("has a part ({p}) that does not fit in 64 bits"))?,
        );
    }
    while parts.last() == Some(&0) {
        parts.pop();
    }
    Ok(VersionKey::Parts(parts))
}

/// `YYYYMMDDHHMMSS` versions read as a creation date (`2024-01-05 10:30:00`).
pub fn timestamp_date(v: &str) -> Option<String> {
    let digits: String = v.chars().filter(|c| *c != '-').collect();
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits[r].parse::<u32>().ok();
    let (mo, d, h, mi, s) = (n(4..6)?, n(6..8)?, n(8..10)?, n(10..12)?, n(12..14)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(format!(
        "{}-{}-{} {}:{}:{}",
        &digits[0..4],
        &digits[4..6],
        &digits[6..8],
        &digits[8..10],
        &digits[10..12],
        &digits[12..14]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_versions() {
        assert_eq!(parse_int_version("0001"), parse_int_version("1"));
        assert!(parse_int_version("1") < parse_int_version("2"));
        assert!(parse_int_version("9") < parse_int_version("10"));
        assert_eq!(parse_int_version("18446744073709551616").unwrap_err(), "does not fit in 64 bits");
        assert!(parse_int_version("12a").is_err());
        assert!(parse_int_version("").is_err());
    }

    #[test]
    fn dotted_versions_order_numerically() {
        let v = |s| parse_dotted_version(s).unwrap();
        assert!(v("1.2") < v("1.10"));
        assert!(v("1.2.3") < v("1.3"));
        assert_eq!(v("1_2"), v("1.2"));
        assert_eq!(v("1.0"), v("1"));
        assert!(parse_dotted_version("1..2").is_err());
        assert!(parse_dotted_version("1.99999999999999999999").is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp_date("20240105103000").as_deref(), Some("2024-01-05 10:30:00"));
        assert_eq!(timestamp_date("2017-08-04-221225").as_deref(), Some("2017-08-04 22:12:25"));
        assert_eq!(timestamp_date("0001"), None);
        assert_eq!(timestamp_date("20241305103000"), None);
    }
}
