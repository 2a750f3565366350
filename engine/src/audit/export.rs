//! Exported audit trails, as JSON and CSV, and their verification.
//!
//! Both formats carry the schema version, the chain head and the record count, so a file can
//! be checked on its own: every record must hash to its stored hash and follow the one before
//! it, the chain must end at the stated head, and the count must match. A head noted down
//! elsewhere (printed in the report, shown in the app) can be given as well, which also
//! catches a log rewritten from start to end.

use serde::{Deserialize, Serialize};

use crate::audit::{AUDIT_SCHEMA_VERSION, AuditLog, AuditRecord, CSV_COLUMNS};

/// The JSON export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditExport {
    /// [`AUDIT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The last record's hash.
    pub chain_head: String,
    /// How many records there are.
    pub record_count: u64,
    /// Every record, in order.
    pub records: Vec<AuditRecord>,
}

/// A verified export: how many records, and the head they end at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Records checked.
    pub record_count: u64,
    /// The chain head.
    pub chain_head: String,
}

/// `records` as pretty JSON, with the schema version and the chain head.
pub fn to_json(records: &[AuditRecord], chain_head: &str) -> String {
    let export = AuditExport {
        schema_version: AUDIT_SCHEMA_VERSION,
        chain_head: chain_head.to_string(),
        record_count: records.len() as u64,
        records: records.to_vec(),
    };
    serde_json::to_string_pretty(&export)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

/// `records` as CSV: a first line naming the schema version, chain head and count, then a
/// header row of [`CSV_COLUMNS`] and one row per record, quoted as RFC 4180 says.
pub fn to_csv(records: &[AuditRecord], chain_head: &str) -> String {
    let mut text = format!(
        "# deploy-dojo audit trail; schema {AUDIT_SCHEMA_VERSION}; chain head {chain_head}; {} records\n",
        records.len()
    );
    let mut writer = csv::Writer::from_writer(Vec::new());
    let rows =
        std::iter::once(CSV_COLUMNS.map(str::to_string).to_vec()).chain(records.iter().map(|r| {
            vec![
                r.seq.to_string(),
                r.tick.0.to_string(),
                r.time_utc.clone(),
                r.actor.label().to_string(),
                r.person.clone(),
                r.action.clone(),
                r.environment.clone(),
                r.version.clone(),
                r.commit_sha.clone(),
                r.branch.clone(),
                r.reason.clone(),
                r.outcome.clone(),
                r.prev_hash.clone(),
                r.hash.clone(),
            ]
        }));
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(&row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    text.push_str(&String::from_utf8_lossy(&bytes));
    text
}

/// Reads a JSON or CSV export and checks it whole. `expected_head`, when given, must be the
/// chain's head too. The error says where and what.
pub fn verify(text: &str, expected_head: Option<&str>) -> Result<Verified, String> {
    let export = parse(text)?;
    if export.schema_version != AUDIT_SCHEMA_VERSION {
        return Err(format!(
            "schema version {} cannot be checked: this build reads schema {AUDIT_SCHEMA_VERSION}",
            export.schema_version
        ));
    }
    let count = export.records.len() as u64;
    if count != export.record_count {
        return Err(format!(
            "the export says {} records but holds {count}: records were removed or added",
            export.record_count
        ));
    }
    AuditLog::verify(&export.records, &export.chain_head)
        .map_err(|error| error.explain(&export.records, &export.chain_head))?;
    if let Some(head) = expected_head
        && head != export.chain_head
    {
        return Err(format!(
            "the export's chain head {} is not the expected {head}: the log was rewritten or is another run's",
            export.chain_head
        ));
    }
    Ok(Verified {
        record_count: count,
        chain_head: export.chain_head,
    })
}

/// Reads a JSON or CSV export without checking its chain.
pub fn parse(text: &str) -> Result<AuditExport, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(trimmed).map_err(|error| {
            format!(
                "not a valid JSON audit export: {error} (line {}, column {})",
                error.line(),
                error.column()
            )
        })?;
        // A `dojo run --json` report holds the chain too, as `audit` and `audit_head`.
        if value.get("audit_head").is_some() {
            return run_report(value);
        }
        return serde_json::from_value(value)
            .map_err(|error| format!("not a valid JSON audit export: {error}"));
    }
    parse_csv(trimmed)
}

/// The chain a `dojo run --json` report holds, as an export of the records it lists.
fn run_report(report: serde_json::Value) -> Result<AuditExport, String> {
    let chain_head = report["audit_head"]
        .as_str()
        .ok_or("a run report's \"audit_head\" must be text")?
        .to_string();
    let records: Vec<AuditRecord> = serde_json::from_value(report["audit"].clone())
        .map_err(|error| format!("a run report's \"audit\" is not a list of records: {error}"))?;
    Ok(AuditExport {
        schema_version: AUDIT_SCHEMA_VERSION,
        chain_head,
        record_count: records.len() as u64,
        records,
    })
}

fn parse_csv(text: &str) -> Result<AuditExport, String> {
    let (first_line, rest) = text.split_once('\n').unwrap_or((text, ""));
    let fields: Vec<&str> = first_line
        .strip_prefix("# deploy-dojo audit trail;")
        .ok_or("line 1: not an audit export: JSON starts with '{', CSV with \"# deploy-dojo audit trail;\"")?
        .split(';')
        .map(str::trim)
        .collect();
    let value = |prefix: &str| -> Result<&str, String> {
        fields
            .iter()
            .find_map(|f| f.strip_prefix(prefix))
            .map(str::trim)
            .ok_or(format!(
                "line 1: no \"{}\" in the first line",
                prefix.trim()
            ))
    };
    let schema_version = value("schema ")?
        .parse()
        .map_err(|_| "line 1: the schema version is not a number".to_string())?;
    let chain_head = value("chain head ")?.to_string();
    let record_count = fields
        .iter()
        .find_map(|f| f.strip_suffix(" records"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or("line 1: no record count (\"N records\")")?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(rest.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|error| format!("line 2: {error}"))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != CSV_COLUMNS {
        return Err(format!(
            "line 2: the columns are {} but should be {}",
            header.join(","),
            CSV_COLUMNS.join(",")
        ));
    }
    let mut records = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let line = index + 3;
        let row = row.map_err(|error| format!("line {line}: {error}"))?;
        let field = |column: u32| row.get(column as usize).unwrap_or_default().to_string();
        let number = |column: u32| -> Result<u64, String> {
            field(column).parse().map_err(|_| {
                format!(
                    "line {line}: {} \"{}\" is not a whole number",
                    CSV_COLUMNS[column as usize],
                    field(column)
                )
            })
        };
        let actor_label = field(3);
        let actor = crate::audit::Actor::from_label(&actor_label)
            .ok_or(format!("line {line}: unknown actor \"{actor_label}\""))?;
        records.push(AuditRecord {
            seq: number(0)?,
            tick: crate::time::Tick(number(1)?),
            time_utc: field(2),
            actor,
            person: field(4),
            action: field(5),
            environment: field(6),
            version: field(7),
            commit_sha: field(8),
            branch: field(9),
            reason: field(10),
            outcome: field(11),
            prev_hash: field(12),
            hash: field(13),
        });
    }
    Ok(AuditExport {
        schema_version,
        chain_head,
        record_count,
        records,
    })
}
