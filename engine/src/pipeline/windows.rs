//! Deployment windows (course material 001): business hours, a weekend and after-hours block
//! that names the next window, maintenance windows from cron, and the emergency override,
//! which needs a written reason and is flagged wherever it appears.

use serde::{Deserialize, Serialize};

use crate::pipeline::cron::CronSchedule;
use crate::time::{UtcDateTime, Weekday};

/// When deployments may start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentWindows {
    /// Days deployments are allowed, Monday first.
    pub days: [bool; 7],
    /// Start of the allowed hours, minutes after midnight UTC (09:00 is 540).
    pub start_minute: u32,
    /// End of the allowed hours, exclusive (18:00 is 1,080).
    pub end_minute: u32,
    /// Maintenance windows, open outside business hours.
    pub maintenance: Vec<MaintenanceWindow>,
}

/// A recurring maintenance window: it opens when its schedule fires and lasts `duration_min`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceWindow {
    /// What it is for, for example `weekly maintenance`.
    pub label: String,
    /// When it opens.
    pub schedule: CronSchedule,
    /// How long it stays open.
    pub duration_min: u32,
}

/// Whether a deployment may start now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowVerdict {
    /// Inside business hours or a maintenance window.
    Open {
        /// Which window, in words.
        window: String,
    },
    /// Outside every window.
    Blocked {
        /// Why, in words, naming the next window.
        reason: String,
        /// When the next window opens.
        next_open_unix_s: u64,
    },
}

impl Default for DeploymentWindows {
    /// The course's default: Monday to Friday, 09:00 to 18:00 UTC, no maintenance windows.
    fn default() -> DeploymentWindows {
        DeploymentWindows {
            days: [true, true, true, true, true, false, false],
            start_minute: 9 * 60,
            end_minute: 18 * 60,
            maintenance: Vec::new(),
        }
    }
}

impl DeploymentWindows {
    /// Whether a deployment may start at `unix_s`, and if not, why and when it may.
    pub fn check(&self, unix_s: u64) -> WindowVerdict {
        let at = UtcDateTime::from_unix_s(unix_s);
        if self.in_business_hours(&at) {
            return WindowVerdict::Open {
                window: format!("business hours ({})", self.hours_label()),
            };
        }
        if let Some(window) = self.maintenance.iter().find(|w| w.is_open(unix_s)) {
            return WindowVerdict::Open {
                window: format!("maintenance window \"{}\"", window.label),
            };
        }
        let next = self.next_open(unix_s);
        let next_at = UtcDateTime::from_unix_s(next);
        let why = if at.weekday.is_weekend() {
            "weekend deployments are blocked"
        } else {
            "after-hours deployments are blocked"
        };
        WindowVerdict::Blocked {
            reason: format!(
                "{} {:02}:{:02} UTC is outside business hours ({}); {why}. Next deployment window: {} {:02}:{:02} UTC ({})",
                weekday_name(at.weekday),
                at.hour,
                at.minute,
                self.hours_label(),
                weekday_name(next_at.weekday),
                next_at.hour,
                next_at.minute,
                next_at.iso8601()
            ),
            next_open_unix_s: next,
        }
    }

    /// The first moment at or after `unix_s` when a window is open.
    pub fn next_open(&self, unix_s: u64) -> u64 {
        let mut best = self.next_business_start(unix_s);
        for window in &self.maintenance {
            if window.is_open(unix_s) {
                return unix_s;
            }
            if let Some(start) = window.schedule.next_at_or_after(unix_s) {
                best = best.min(start);
            }
        }
        best
    }

    /// What is wrong with these business hours, if anything: a day to deploy on, and a start
    /// before the end within one day.
    pub fn validate(&self) -> Result<(), String> {
        if !self.days.iter().any(|d| *d) {
            return Err("deployment window: pick at least one day, or deployments could never start outside maintenance windows".to_string());
        }
        if self.end_minute > 24 * 60 || self.start_minute >= self.end_minute {
            return Err(format!(
                "deployment window: the hours must start before they end within one day, not {:02}:{:02}–{:02}:{:02}",
                self.start_minute / 60,
                self.start_minute % 60,
                self.end_minute / 60,
                self.end_minute % 60
            ));
        }
        Ok(())
    }

    /// `Mon–Fri 09:00–18:00 UTC`.
    pub fn hours_label(&self) -> String {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let open: Vec<u32> = (0..7u32).filter(|d| self.days[*d as usize]).collect();
        let days = match (open.first(), open.last()) {
            (Some(&first), Some(&last))
                if last - first + 1 == open.len() as u32 && first != last =>
            {
                format!("{}–{}", names[first as usize], names[last as usize])
            }
            _ => open
                .iter()
                .map(|d| names[*d as usize])
                .collect::<Vec<_>>()
                .join(", "),
        };
        format!(
            "{days} {:02}:{:02}–{:02}:{:02} UTC",
            self.start_minute / 60,
            self.start_minute % 60,
            self.end_minute / 60,
            self.end_minute % 60
        )
    }

    fn in_business_hours(&self, at: &UtcDateTime) -> bool {
        let minute = u32::from(at.hour) * 60 + u32::from(at.minute);
        self.days[at.weekday as usize] && (self.start_minute..self.end_minute).contains(&minute)
    }

    fn next_business_start(&self, unix_s: u64) -> u64 {
        if !self.days.iter().any(|d| *d) || self.start_minute >= self.end_minute {
            return u64::MAX;
        }
        let day_start = unix_s / 86_400 * 86_400;
        for offset in 0..8 {
            let start = day_start + offset * 86_400 + u64::from(self.start_minute) * 60;
            let end = day_start + offset * 86_400 + u64::from(self.end_minute) * 60;
            let weekday = UtcDateTime::from_unix_s(start).weekday;
            if self.days[weekday as usize] && end > unix_s {
                return start.max(unix_s);
            }
        }
        u64::MAX
    }
}

impl MaintenanceWindow {
    /// True while the window is open at `unix_s`.
    pub fn is_open(&self, unix_s: u64) -> bool {
        let duration_s = u64::from(self.duration_min) * 60;
        let earliest = unix_s.saturating_sub(duration_s.saturating_sub(60)) / 60 * 60;
        self.schedule
            .next_at_or_after(earliest)
            .is_some_and(|start| start <= unix_s && unix_s < start + duration_s)
    }
}

/// An emergency override of the deployment window, as a person asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyOverride {
    /// Why, in the person's words.
    pub reason: String,
    /// Whether the tests are skipped too.
    pub skip_tests: bool,
}

impl EmergencyOverride {
    /// An override with `reason`, refused when there is no written reason.
    pub fn new(reason: &str, skip_tests: bool) -> Result<EmergencyOverride, String> {
        let reason = reason.trim();
        if reason.chars().filter(|c| c.is_alphanumeric()).count() < 10 {
            return Err(
                "an emergency override needs a written reason (at least 10 letters or digits): say what is broken and why it cannot wait for the next window"
                    .to_string(),
            );
        }
        Ok(EmergencyOverride {
            reason: reason.to_string(),
            skip_tests,
        })
    }

    /// The flag shown wherever the override appears.
    pub fn flag(&self) -> String {
        format!(
            "EMERGENCY OVERRIDE{}: {}",
            if self.skip_tests {
                " (tests skipped)"
            } else {
                ""
            },
            self.reason
        )
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> u64 {
        UtcDateTime::unix_s_of(year, month, day, hour, minute)
    }

    /// The course's cases (001): 2026-03-14 is a Saturday.
    #[test]
    fn business_hours_and_the_next_window() {
        let windows = DeploymentWindows::default();
        let table = [
            // Wednesday 10:00: open.
            (unix(2026, 3, 11, 10, 0), None),
            (unix(2026, 3, 13, 17, 59), None),
            // Saturday 14:30: blocked until Monday 09:00.
            (unix(2026, 3, 14, 14, 30), Some(unix(2026, 3, 16, 9, 0))),
            // Saturday 23:45 (the hotfix case).
            (unix(2026, 3, 14, 23, 45), Some(unix(2026, 3, 16, 9, 0))),
            // Friday 18:00 sharp is after hours.
            (unix(2026, 3, 13, 18, 0), Some(unix(2026, 3, 16, 9, 0))),
            // Tuesday 07:15: the same day at 09:00.
            (unix(2026, 3, 10, 7, 15), Some(unix(2026, 3, 10, 9, 0))),
            // Tuesday 19:00: Wednesday 09:00.
            (unix(2026, 3, 10, 19, 0), Some(unix(2026, 3, 11, 9, 0))),
        ];
        for (at, blocked_until) in table {
            let verdict = windows.check(at);
            match blocked_until {
                None => assert!(matches!(verdict, WindowVerdict::Open { .. }), "{verdict:?}"),
                Some(next) => match verdict {
                    WindowVerdict::Blocked {
                        next_open_unix_s, ..
                    } => {
                        assert_eq!(
                            UtcDateTime::from_unix_s(next_open_unix_s).iso8601(),
                            UtcDateTime::from_unix_s(next).iso8601()
                        )
                    }
                    open => panic!(
                        "{} should be blocked: {open:?}",
                        UtcDateTime::from_unix_s(at).iso8601()
                    ),
                },
            }
        }
        let WindowVerdict::Blocked { reason, .. } = windows.check(unix(2026, 3, 14, 14, 30)) else {
            panic!("Saturday is blocked");
        };
        assert_eq!(
            reason,
            "Saturday 14:30 UTC is outside business hours (Mon–Fri 09:00–18:00 UTC); weekend deployments are blocked. Next deployment window: Monday 09:00 UTC (2026-03-16T09:00:00Z)"
        );
    }

    #[test]
    fn a_maintenance_window_opens_on_its_schedule() {
        let windows = DeploymentWindows {
            maintenance: vec![MaintenanceWindow {
                label: "weekly maintenance".to_string(),
                schedule: CronSchedule::parse("0 2 * * 0").unwrap(),
                duration_min: 60,
            }],
            ..DeploymentWindows::default()
        };
        // Sunday 2026-03-15 02:30 is inside; 03:00 is not; Saturday night's next window is
        // the maintenance window at 02:00, before Monday.
        assert!(
            matches!(windows.check(unix(2026, 3, 15, 2, 30)), WindowVerdict::Open { window } if window == "maintenance window \"weekly maintenance\"")
        );
        assert!(matches!(
            windows.check(unix(2026, 3, 15, 3, 0)),
            WindowVerdict::Blocked { .. }
        ));
        assert_eq!(
            windows.next_open(unix(2026, 3, 14, 23, 0)),
            unix(2026, 3, 15, 2, 0)
        );
    }

    #[test]
    fn an_override_needs_a_written_reason() {
        for reason in ["", "   ", "urgent", "!!!!!!!!!!!!!!!"] {
            assert!(EmergencyOverride::new(reason, false).is_err(), "{reason:?}");
        }
        let ok = EmergencyOverride::new("CVE-2026-1234 in the auth path is being exploited", true)
            .unwrap();
        assert_eq!(
            ok.flag(),
            "EMERGENCY OVERRIDE (tests skipped): CVE-2026-1234 in the auth path is being exploited"
        );
        assert!(matches!(
            DeploymentWindows::default().check(unix(2026, 3, 10, 10, 0)),
            WindowVerdict::Open { .. }
        ));
    }
}
