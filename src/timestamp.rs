//! A moment as calendar fields (UTC), for the dates new migrations carry: Alembic's
//! `Create Date` and `file_template` fields, and the timestamp versions of the SQL tools.
//!
//! Pure: the caller reads the clock and passes seconds since the Unix epoch.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds since 1970-01-01 00:00:00 UTC (Alembic's `%(epoch)s`).
    pub epoch: i64,
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

impl Timestamp {
    pub fn from_unix(epoch: i64, micros: u32) -> Timestamp {
        let (days, rem) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
        // Howard Hinnant's days-to-civil.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        // Every value below is bounded by the arithmetic above (day ≤ 31, rem < 86 400).
        let small = |v: i64| u32::try_from(v).unwrap_or(0);
        Timestamp {
            epoch,
            year,
            month: small(month),
            day: small(day),
            hour: small(rem / 3600),
            minute: small(rem % 3600 / 60),
            second: small(rem % 60),
            micros: micros.min(999_999),
        }
    }

    /// As Python's `str()` of a naive datetime: `2024-01-05 10:30:00.123456`, without the
    /// fraction when it is zero.
    pub fn python(&self) -> String {
        let mut s = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.micros != 0 {
            s.push_str(&format!(".{:06}", self.micros));
        }
        s
    }

    /// `20240105103000`: the version golang-migrate, goose, dbmate, sqlx and Atlas write.
    pub fn compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `2024-01-05-103000`: diesel's migration folder prefix.
    pub fn dashed(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}-{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_fields() {
        let t = Timestamp::from_unix(1_704_450_600, 123_456);
        assert_eq!(t.python(), "2024-01-05 10:30:00.123456");
        assert_eq!(t.compact(), "20240105103000");
        assert_eq!(t.dashed(), "2024-01-05-103000");
        assert_eq!(Timestamp::from_unix(951_782_400, 0).python(), "2000-02-29 00:00:00");
        assert_eq!(Timestamp::from_unix(0, 0).compact(), "19700101000000");
    }
}
