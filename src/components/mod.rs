//! The screen's parts. Each takes plain data and callbacks, never the reducer itself.

mod alert_feed;
mod audit_log;
mod briefing;
mod controls;
mod environments;
mod error_chart;
mod fault_console;
mod field;
mod fleet_view;
mod manifest_loader;
mod pipeline_panel;
mod protection_rules;
mod rollout_panel;
mod top_bar;
mod traffic_split;

pub use alert_feed::{AlertFeed, AlertFeedProps};
pub use audit_log::{AuditLog, AuditLogProps};
pub use briefing::{Briefing, BriefingProps};
pub use controls::{Controls, ControlsProps};
pub use environments::{Environments, EnvironmentsProps};
pub use error_chart::{ErrorChart, ErrorChartProps};
pub use fault_console::{FaultConsole, FaultConsoleProps};
pub use fleet_view::{FleetView, FleetViewProps};
pub use manifest_loader::{ManifestLoader, ManifestLoaderProps};
pub use pipeline_panel::{PipelinePanel, PipelinePanelProps};
pub use protection_rules::{ProtectionRules, ProtectionRulesProps};
pub use rollout_panel::{RolloutPanel, RolloutPanelProps};
pub use top_bar::{TopBar, TopBarProps};
pub use traffic_split::{TrafficSplit, TrafficSplitProps};
