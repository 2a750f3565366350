//! Simulated time: integer seconds on a UTC calendar.
//!
//! The engine never reads a wall clock. A run starts at a scenario-defined UTC instant and
//! advances one tick (one simulated second) at a time.

use serde::{Deserialize, Serialize};

/// Seconds since the start of a run. One tick is one simulated second.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Tick(pub u64);

impl Tick {
    /// The tick `seconds` later.
    pub fn plus_s(self, seconds: u64) -> Tick {
        Tick(self.0.saturating_add(seconds))
    }

    /// Seconds from `earlier` to `self`, zero if `earlier` is later.
    pub fn seconds_since(self, earlier: Tick) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// The three-letter English abbreviation.
    pub fn short_name(self) -> &'static str {
        match self {
            Weekday::Monday => "Mon",
            Weekday::Tuesday => "Tue",
            Weekday::Wednesday => "Wed",
            Weekday::Thursday => "Thu",
            Weekday::Friday => "Fri",
            Weekday::Saturday => "Sat",
            Weekday::Sunday => "Sun",
        }
    }

    /// True on Saturday and Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }
}

/// A broken-down UTC instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtcDateTime {
    /// Calendar year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 59.
    pub second: u8,
    /// Day of the week.
    pub weekday: Weekday,
}

impl UtcDateTime {
    /// The instant `unix_s` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix_s(unix_s: u64) -> UtcDateTime {
        let days = (unix_s / 86_400) as i64;
        let second_of_day = unix_s % 86_400;
        let (year, month, day) = civil_from_days(days);
        // 1970-01-01 was a Thursday.
        let weekday = match (days + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        };
        UtcDateTime {
            year,
            month,
            day,
            hour: (second_of_day / 3_600) as u8,
            minute: (second_of_day / 60 % 60) as u8,
            second: (second_of_day % 60) as u8,
            weekday,
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z for a date and time of day.
    pub fn unix_s_of(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> u64 {
        let days = days_from_civil(year, month, day);
        (days * 86_400 + i64::from(hour) * 3_600 + i64::from(minute) * 60) as u64
    }

    /// Inside the default business hours of the course: Monday to Friday, 09:00 to 18:00 UTC.
    pub fn is_business_hours(&self) -> bool {
        !self.weekday.is_weekend() && (9..18).contains(&self.hour)
    }

    /// ISO 8601, for example `2026-03-10T14:05:00Z`.
    pub fn iso8601(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// The clock as a trainee reads it, for example `Tue 14:05:00 UTC`.
    pub fn clock_label(&self) -> String {
        format!(
            "{} {:02}:{:02}:{:02} UTC",
            self.weekday.short_name(),
            self.hour,
            self.minute,
            self.second
        )
    }
}

/// A duration as people say it: `45 s`, `2 min 30 s`, `1 h 5 min`.
pub fn duration_label(seconds: u64) -> String {
    let hours = seconds / 3_600;
    let minutes = seconds / 60 % 60;
    let secs = seconds % 60;
    match (hours, minutes, secs) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// A duration as a Go/Kubernetes manifest writes it: `30s`, `2m`, `1h5m`, `1h0m30s`.
pub fn manifest_duration(seconds: u64) -> String {
    let hours = seconds / 3_600;
    let minutes = seconds / 60 % 60;
    let secs = seconds % 60;
    let mut text = String::new();
    if hours > 0 {
        text.push_str(&format!("{hours}h"));
    }
    if minutes > 0 || (hours > 0 && secs > 0) {
        text.push_str(&format!("{minutes}m"));
    }
    if secs > 0 || text.is_empty() {
        text.push_str(&format!("{secs}s"));
    }
    text
}

// Howard Hinnant's proleptic Gregorian algorithms (public domain), in integer arithmetic only.
fn civil_from_days(days_since_epoch: i64) -> (i32, u8, u8) {
    let z = days_since_epoch + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u8;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_matches_known_dates() {
        // (unix seconds, ISO 8601, weekday) pairs checked against `date -u -d @N`.
        let cases = [
            (0u64, "1970-01-01T00:00:00Z", Weekday::Thursday),
            (951_782_400, "2000-02-29T00:00:00Z", Weekday::Tuesday),
            (1_773_151_200, "2026-03-10T14:00:00Z", Weekday::Tuesday),
            (1_798_761_599, "2026-12-31T23:59:59Z", Weekday::Thursday),
            (1_793_490_300, "2026-10-31T23:45:00Z", Weekday::Saturday),
        ];
        for (unix_s, iso, weekday) in cases {
            let instant = UtcDateTime::from_unix_s(unix_s);
            assert_eq!(instant.iso8601(), iso, "unix {unix_s}");
            assert_eq!(instant.weekday, weekday, "unix {unix_s}");
        }
    }

    #[test]
    fn unix_s_of_inverts_from_unix_s() {
        assert_eq!(UtcDateTime::unix_s_of(2026, 3, 10, 14, 0), 1_773_151_200);
        assert_eq!(UtcDateTime::unix_s_of(2000, 2, 29, 0, 0), 951_782_400);
    }

    #[test]
    fn business_hours_are_weekdays_nine_to_six() {
        let cases = [
            (UtcDateTime::unix_s_of(2026, 3, 10, 8, 59), false),
            (UtcDateTime::unix_s_of(2026, 3, 10, 9, 0), true),
            (UtcDateTime::unix_s_of(2026, 3, 10, 17, 59), true),
            (UtcDateTime::unix_s_of(2026, 3, 10, 18, 0), false),
            (UtcDateTime::unix_s_of(2026, 3, 14, 14, 30), false),
        ];
        for (unix_s, expected) in cases {
            let instant = UtcDateTime::from_unix_s(unix_s);
            assert_eq!(
                instant.is_business_hours(),
                expected,
                "{}",
                instant.iso8601()
            );
        }
    }

    #[test]
    fn manifest_durations_use_go_units() {
        let cases = [
            (0u64, "0s"),
            (30, "30s"),
            (120, "2m"),
            (150, "2m30s"),
            (3_600, "1h"),
            (3_900, "1h5m"),
            (3_630, "1h0m30s"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(manifest_duration(seconds), expected, "{seconds} s");
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_label(45), "45 s");
        assert_eq!(duration_label(120), "2 min");
        assert_eq!(duration_label(150), "2 min 30 s");
        assert_eq!(duration_label(3_900), "1 h 5 min");
        assert_eq!(duration_label(7_200), "2 h");
    }
}
