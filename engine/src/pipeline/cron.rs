//! POSIX cron schedules as GitHub Actions' `on: schedule` reads them: five fields (minute,
//! hour, day of month, month, day of week) in UTC, with `*`, lists, ranges, steps and names.
//! When both day fields are restricted a day matches if either does, as in Vixie cron.

use serde::{Deserialize, Serialize};

use crate::time::UtcDateTime;

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronSchedule {
    /// The expression as written.
    pub expression: String,
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    day_of_month_restricted: bool,
    day_of_week_restricted: bool,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl CronSchedule {
    /// Parses `expression`, or says which field is wrong and why.
    pub fn parse(expression: &str) -> Result<CronSchedule, String> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "cron \"{expression}\" has {} fields; it needs 5: minute hour day-of-month month day-of-week",
                fields.len()
            ));
        }
        let field = |index: u32, name: &str, low: u32, high: u32, names: &[&str]| {
            let text = fields[index as usize];
            parse_field(text, low, high, names)
                .map_err(|why| format!("cron \"{expression}\": {name} \"{text}\": {why}"))
        };
        let minutes = field(0, "minute", 0, 59, &[])?;
        let hours = field(1, "hour", 0, 23, &[])?;
        let days_of_month = field(2, "day of month", 1, 31, &[])?;
        let months = field(3, "month", 1, 12, &MONTHS)?;
        // 7 is Sunday as well as 0.
        let mut days_of_week = field(4, "day of week", 0, 7, &DAYS)?;
        if days_of_week & (1 << 7) != 0 {
            days_of_week = (days_of_week | 1) & 0x7F;
        }
        Ok(CronSchedule {
            expression: expression.to_string(),
            minutes,
            hours: hours as u32,
            days_of_month: days_of_month as u32,
            months: months as u16,
            days_of_week: days_of_week as u8,
            day_of_month_restricted: !fields[2].starts_with('*'),
            day_of_week_restricted: !fields[4].starts_with('*'),
        })
    }

    /// True when the schedule fires in the minute containing `unix_s`.
    pub fn matches(&self, unix_s: u64) -> bool {
        let at = UtcDateTime::from_unix_s(unix_s);
        self.minutes & (1 << at.minute) != 0
            && self.hours & (1 << at.hour) != 0
            && self.day_matches(&at)
    }

    /// The first minute at or after `unix_s` (rounded up to a whole minute) at which the
    /// schedule fires, looking up to five years ahead (`0 0 30 2 *` never fires).
    pub fn next_at_or_after(&self, unix_s: u64) -> Option<u64> {
        let mut minute_s = unix_s.div_ceil(60) * 60;
        let limit = minute_s + 5 * 366 * 86_400;
        while minute_s < limit {
            let at = UtcDateTime::from_unix_s(minute_s);
            if !self.day_matches(&at) {
                minute_s = (minute_s / 86_400 + 1) * 86_400;
                continue;
            }
            if self.hours & (1 << at.hour) == 0 {
                minute_s = (minute_s / 3_600 + 1) * 3_600;
                continue;
            }
            if self.minutes & (1 << at.minute) != 0 {
                return Some(minute_s);
            }
            minute_s += 60;
        }
        None
    }

    fn day_matches(&self, at: &UtcDateTime) -> bool {
        if self.months & (1 << at.month) == 0 {
            return false;
        }
        let weekday_bit = 1 << ((at.weekday as u8 + 1) % 7);
        let by_month_day = self.days_of_month & (1 << at.day) != 0;
        let by_weekday = self.days_of_week & weekday_bit != 0;
        match (self.day_of_month_restricted, self.day_of_week_restricted) {
            (true, true) => by_month_day || by_weekday,
            (true, false) => by_month_day,
            (false, true) => by_weekday,
            (false, false) => true,
        }
    }
}

/// One field as a bit set of the values it allows.
fn parse_field(text: &str, low: u32, high: u32, names: &[&str]) -> Result<u64, String> {
    let value = |part: &str| -> Result<u32, String> {
        let upper = part.to_ascii_uppercase();
        if let Some(index) = names.iter().position(|name| *name == upper) {
            // Month names count from 1, day names from 0.
            return Ok(index as u32 + low);
        }
        let number: u32 = part
            .parse()
            .map_err(|_| format!("\"{part}\" is not a number"))?;
        if number < low || number > high {
            return Err(format!("{number} is outside {low}-{high}"));
        }
        Ok(number)
    };
    let mut bits = 0u64;
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or(format!("step \"{step}\" is not a positive number"))?;
                (range, step)
            }
            None => (item, 1),
        };
        let (first, last) = match range {
            "*" => (low, high),
            _ => match range.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                // `5/15` runs from 5 to the end in steps of 15.
                None if item.contains('/') => (value(range)?, high),
                None => {
                    let v = value(range)?;
                    (v, v)
                }
            },
        };
        if first > last {
            return Err(format!("range {first}-{last} runs backwards"));
        }
        let mut v = first;
        while v <= last {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> u64 {
        UtcDateTime::unix_s_of(year, month, day, hour, minute)
    }

    /// (expression, from, next firing), each checked against a calendar by hand.
    #[test]
    fn next_firings() {
        // 2026-03-10 is a Tuesday.
        let table = [
            (
                "0 2 * * 0",
                unix(2026, 3, 10, 14, 0),
                unix(2026, 3, 15, 2, 0),
            ),
            (
                "0 2 * * SUN",
                unix(2026, 3, 15, 2, 0),
                unix(2026, 3, 15, 2, 0),
            ),
            (
                "0 2 * * 7",
                unix(2026, 3, 15, 2, 1),
                unix(2026, 3, 22, 2, 0),
            ),
            (
                "*/15 * * * *",
                unix(2026, 3, 10, 14, 1),
                unix(2026, 3, 10, 14, 15),
            ),
            (
                "30 9 * * 1-5",
                unix(2026, 3, 13, 10, 0),
                unix(2026, 3, 16, 9, 30),
            ),
            ("0 0 1 * *", unix(2026, 3, 10, 0, 0), unix(2026, 4, 1, 0, 0)),
            (
                "0 0 29 2 *",
                unix(2026, 3, 1, 0, 0),
                unix(2028, 2, 29, 0, 0),
            ),
            // Both day fields restricted: the 13th or any Friday.
            (
                "0 12 13 * 5",
                unix(2026, 3, 10, 0, 0),
                unix(2026, 3, 13, 12, 0),
            ),
            (
                "0 12 13 * 5",
                unix(2026, 3, 13, 13, 0),
                unix(2026, 3, 20, 12, 0),
            ),
            (
                "5/20 * * * *",
                unix(2026, 3, 10, 14, 26),
                unix(2026, 3, 10, 14, 45),
            ),
            (
                "0 9 * JAN,jul *",
                unix(2026, 3, 10, 0, 0),
                unix(2026, 7, 1, 9, 0),
            ),
        ];
        for (expression, from, expected) in table {
            let schedule = CronSchedule::parse(expression).unwrap();
            assert_eq!(
                schedule
                    .next_at_or_after(from)
                    .map(|s| UtcDateTime::from_unix_s(s).iso8601()),
                Some(UtcDateTime::from_unix_s(expected).iso8601()),
                "{expression}"
            );
        }
        assert_eq!(
            CronSchedule::parse("0 0 30 2 *")
                .unwrap()
                .next_at_or_after(0),
            None
        );
    }

    #[test]
    fn bad_expressions_say_which_field() {
        for (expression, message) in [
            ("0 2 * *", "has 4 fields; it needs 5"),
            ("60 2 * * *", "minute \"60\": 60 is outside 0-59"),
            (
                "0 2 * * FUNDAY",
                "day of week \"FUNDAY\": \"FUNDAY\" is not a number",
            ),
            ("*/0 * * * *", "step \"0\" is not a positive number"),
            ("0 5-2 * * *", "hour \"5-2\": range 5-2 runs backwards"),
        ] {
            let error = CronSchedule::parse(expression).unwrap_err();
            assert!(error.contains(message), "{expression}: {error}");
        }
    }
}
