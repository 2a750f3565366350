//! A lab file read into a [`Lab`]: every problem at once, each as `file:line:column: what is
//! wrong`, and an unknown key with the nearest key the format has.

use std::collections::{BTreeMap, BTreeSet};

use super::spec::{
    Audience, Choice, ChoiceOption, Comparison, Difficulty, EventMatch, Hint, Judged, Lab,
    LabFault, Metric, Objective, Penalty, Predicate, SCHEMA_VERSION, Variant,
};
use super::worlds;
use super::yaml::{Node, Value, parse};

/// Reads the lab in `text`, naming `file` in its problems.
pub fn read_lab(file: &str, text: &str) -> Result<Lab, Vec<String>> {
    let root = parse(text).map_err(|error| {
        vec![format!(
            "{file}:{}:{}: the YAML cannot be read: {}",
            error.line, error.column, error.message
        )]
    })?;
    let mut reader = Reader {
        file: file.to_string(),
        problems: Vec::new(),
    };
    let lab = reader.lab(&root);
    match lab {
        Some(lab) if reader.problems.is_empty() => Ok(lab),
        _ => {
            if reader.problems.is_empty() {
                reader
                    .problems
                    .push(format!("{file}:1:1: the file is not a lab"));
            }
            Err(reader.problems)
        }
    }
}

/// Seconds in a duration written `90s`, `5m`, `1h30m`, `2d` or as a number of seconds.
pub fn duration_s(text: &str) -> Option<u64> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(seconds);
    }
    let mut total = 0u64;
    let mut number = String::new();
    for character in text.chars() {
        if character.is_ascii_digit() {
            number.push(character);
            continue;
        }
        let unit = match character {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => return None,
        };
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(unit)?)?;
        number.clear();
    }
    number.is_empty().then_some(total)
}

/// The keys of a lab file, in the order the format documents them.
const LAB_KEYS: &[&str] = &[
    "schema_version",
    "id",
    "title",
    "track",
    "audiences",
    "difficulty",
    "minutes",
    "situation",
    "customer_question",
    "learning_objectives",
    "world",
    "seed",
    "choices",
    "faults",
    "objectives",
    "hints",
    "penalties",
    "par_minutes",
    "pass_mark",
    "debrief",
    "talking_points",
    "variants",
];
const CHOICE_KEYS: &[&str] = &["key", "label", "help", "default", "options"];
const FAULT_KEYS: &[&str] = &["kind", "at", "for", "environment", "service", "version"];
const OPTION_KEYS: &[&str] = &["value", "label"];
const OBJECTIVE_KEYS: &[&str] = &[
    "id",
    "text",
    "weight",
    "required",
    "judged",
    "check",
    "fails_when",
    "pass",
    "fail",
];
const EVENT_KEYS: &[&str] = &["action", "by", "environment", "outcome", "reason_contains"];
const HINT_KEYS: &[&str] = &["text", "cost"];
const PENALTY_KEYS: &[&str] = &["event", "points", "why"];
const VARIANT_KEYS: &[&str] = &["name", "choices"];
const PREDICATE_KEYS: &[&str] = &[
    "all",
    "any",
    "not",
    "metric",
    "op",
    "value",
    "event",
    "outcome",
    "phase",
    "for",
    "before",
    "within",
    "of",
    "check",
    "auditor_package",
    "slo_passes",
];
const PACKAGE_KEYS: &[&str] = &["branch", "reviewers"];

/// Reads fields by path, collecting problems instead of stopping at the first.
struct Reader {
    file: String,
    problems: Vec<String>,
}

/// A mapping's fields, checked against the keys its place allows.
struct Fields<'a> {
    entries: BTreeMap<&'a str, &'a Node>,
    node: &'a Node,
    path: String,
}

impl<'a> Fields<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .get(key)
            .copied()
            .filter(|node| node.value != Value::Null)
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

impl Reader {
    fn problem(&mut self, node: &Node, path: &str, message: &str) {
        self.problems.push(format!(
            "{}:{}:{}: {path}: {message}",
            self.file, node.line, node.column
        ));
    }

    /// The mapping at `node`, its unknown keys reported with the nearest allowed one.
    fn fields<'a>(&mut self, node: &'a Node, path: &str, allowed: &[&str]) -> Option<Fields<'a>> {
        let Value::Map(entries) = &node.value else {
            self.problem(
                node,
                path,
                &format!("expected a mapping, found {}", node.kind()),
            );
            return None;
        };
        let mut fields = BTreeMap::new();
        for (key, value) in entries {
            let Some(name) = key.text() else {
                self.problem(key, path, "a key must be a plain word");
                continue;
            };
            if !allowed.contains(&name) {
                let suggestion = nearest(name, allowed)
                    .map_or_else(String::new, |near| format!("; did you mean `{near}`?"));
                let shown = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
                self.problem(key, &shown, &format!("unknown key{suggestion}"));
                continue;
            }
            if fields.insert(name, value).is_some() {
                self.problem(key, path, &format!("`{name}` is given twice"));
            }
        }
        Some(Fields {
            entries: fields,
            node,
            path: path.to_string(),
        })
    }

    fn required<'a>(&mut self, fields: &Fields<'a>, key: &str) -> Option<&'a Node> {
        let node = fields.get(key);
        if node.is_none() {
            let message = format!("`{key}` is required");
            self.problem(fields.node, &fields.path(key), &message);
        }
        node
    }

    fn text_at(&mut self, node: &Node, path: &str) -> Option<String> {
        match node.text() {
            Some(text) => Some(text.to_string()),
            None => {
                self.problem(node, path, &format!("expected text, found {}", node.kind()));
                None
            }
        }
    }

    fn text(&mut self, fields: &Fields, key: &str) -> Option<String> {
        let node = self.required(fields, key)?;
        self.text_at(node, &fields.path(key))
    }

    fn optional_text(&mut self, fields: &Fields, key: &str) -> Option<String> {
        let node = fields.get(key)?;
        self.text_at(node, &fields.path(key))
    }

    fn number<T: std::str::FromStr>(&mut self, node: &Node, path: &str, what: &str) -> Option<T> {
        let parsed = node.text().and_then(|text| text.parse::<T>().ok());
        if parsed.is_none() {
            self.problem(node, path, &format!("expected {what}"));
        }
        parsed
    }

    fn whole(&mut self, fields: &Fields, key: &str, default: Option<u64>) -> Option<u64> {
        match (fields.get(key), default) {
            (Some(node), _) => self.number(node, &fields.path(key), "a whole number"),
            (None, Some(default)) => Some(default),
            (None, None) => {
                self.required(fields, key);
                None
            }
        }
    }

    /// A whole number no larger than `max` (a lab's minutes, points and weights are small; a
    /// huge one is a typing slip, refused where it is rather than wrapped).
    fn whole_at_most(
        &mut self,
        fields: &Fields,
        key: &str,
        default: Option<u64>,
        max: u32,
    ) -> Option<u32> {
        let value = self.whole(fields, key, default)?;
        match u32::try_from(value) {
            Ok(value) if value <= max => Some(value),
            _ => {
                if let Some(node) = fields.get(key) {
                    self.problem(
                        node,
                        &fields.path(key),
                        &format!("expected a whole number up to {max}, not {value}"),
                    );
                }
                None
            }
        }
    }

    fn flag(&mut self, fields: &Fields, key: &str, default: bool) -> bool {
        let Some(node) = fields.get(key) else {
            return default;
        };
        match node.text() {
            Some("true") => true,
            Some("false") => false,
            _ => {
                self.problem(node, &fields.path(key), "expected true or false");
                default
            }
        }
    }

    fn list<'a>(&mut self, fields: &Fields<'a>, key: &str) -> Vec<(String, &'a Node)> {
        let Some(node) = fields.get(key) else {
            return Vec::new();
        };
        match &node.value {
            Value::List(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| (format!("{}[{index}]", fields.path(key)), item))
                .collect(),
            _ => {
                let message = format!("expected a list, found {}", node.kind());
                self.problem(node, &fields.path(key), &message);
                Vec::new()
            }
        }
    }

    fn texts(&mut self, fields: &Fields, key: &str) -> Vec<String> {
        self.list(fields, key)
            .into_iter()
            .filter_map(|(path, node)| self.text_at(node, &path))
            .collect()
    }

    fn word<T: Copy>(&mut self, node: &Node, path: &str, words: &[(T, &'static str)]) -> Option<T> {
        let text = self.text_at(node, path)?;
        let found = words
            .iter()
            .find(|(_, word)| *word == text)
            .map(|(t, _)| *t);
        if found.is_none() {
            let allowed: Vec<&str> = words.iter().map(|(_, word)| *word).collect();
            let suggestion = nearest(&text, &allowed)
                .map_or_else(String::new, |near| format!("; did you mean `{near}`?"));
            self.problem(
                node,
                path,
                &format!("`{text}` is not one of {}{suggestion}", allowed.join(", ")),
            );
        }
        found
    }

    fn lab(&mut self, root: &Node) -> Option<Lab> {
        let fields = self.fields(root, "", LAB_KEYS)?;
        match fields.get("schema_version") {
            None => self.problem(root, "schema_version", "`schema_version` is required"),
            Some(node) => {
                if let Some(version) = self.number::<u32>(node, "schema_version", "a whole number")
                    && version != SCHEMA_VERSION
                {
                    self.problem(
                        node,
                        "schema_version",
                        &format!(
                            "this Deploy Dojo reads schema_version {SCHEMA_VERSION}, not {version}"
                        ),
                    );
                }
            }
        }
        let id = self.text(&fields, "id");
        if let Some(id) = &id
            && (id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        {
            let node = fields.get("id").unwrap_or(root);
            self.problem(
                node,
                "id",
                "use lowercase letters, digits and hyphens, as a link carries it",
            );
        }
        let title = self.text(&fields, "title");
        let track = self.text(&fields, "track");
        let audiences: Vec<Audience> = self
            .list(&fields, "audiences")
            .into_iter()
            .filter_map(|(path, node)| self.word(node, &path, &Audience::ALL))
            .collect();
        if audiences.is_empty() {
            self.problem(
                root,
                "audiences",
                "name at least one of trainee, instructor, csm",
            );
        }
        let difficulty = self
            .required(&fields, "difficulty")
            .and_then(|node| self.word(node, "difficulty", &Difficulty::ALL));
        let minutes = self.whole_at_most(&fields, "minutes", None, 24 * 60);
        let situation = self.text(&fields, "situation");
        let customer_question = self.optional_text(&fields, "customer_question");
        let learning_objectives = self.texts(&fields, "learning_objectives");
        let world = self.text(&fields, "world");
        let parameters = world.as_deref().and_then(|name| {
            let found = worlds::parameters(name);
            if found.is_none() {
                let names: Vec<&str> = worlds::WORLDS.iter().map(|w| w.name).collect();
                let suggestion = nearest(name, &names)
                    .map_or_else(String::new, |near| format!("; did you mean `{near}`?"));
                let node = fields.get("world").unwrap_or(root);
                self.problem(
                    node,
                    "world",
                    &format!(
                        "there is no starting world `{name}` (there are {}){suggestion}",
                        names.join(", ")
                    ),
                );
            }
            found
        });
        let seed = self.whole(&fields, "seed", Some(1));
        let choices: Vec<Choice> = self
            .list(&fields, "choices")
            .into_iter()
            .filter_map(|(path, node)| self.choice(node, &path, parameters))
            .collect();
        let keys: Vec<&str> = choices.iter().map(|c| c.key.as_str()).collect();
        self.given_twice(&fields, "choices", &keys, "choice");
        let faults = self
            .list(&fields, "faults")
            .into_iter()
            .filter_map(|(path, node)| self.fault(node, &path))
            .collect();
        let objectives: Vec<Objective> = self
            .list(&fields, "objectives")
            .into_iter()
            .filter_map(|(path, node)| self.objective(node, &path))
            .collect();
        if objectives.is_empty() {
            self.problem(root, "objectives", "a lab needs at least one objective");
        }
        let ids: Vec<&str> = objectives.iter().map(|o| o.id.as_str()).collect();
        self.given_twice(&fields, "objectives", &ids, "objective");
        let hints = self
            .list(&fields, "hints")
            .into_iter()
            .filter_map(|(path, node)| {
                let hint = self.fields(node, &path, HINT_KEYS)?;
                Some(Hint {
                    text: self.text(&hint, "text")?,
                    cost: self.whole_at_most(&hint, "cost", Some(5), 100)?,
                })
            })
            .collect();
        let penalties = self
            .list(&fields, "penalties")
            .into_iter()
            .filter_map(|(path, node)| {
                let penalty = self.fields(node, &path, PENALTY_KEYS)?;
                let event_node = self.required(&penalty, "event")?;
                Some(Penalty {
                    event: self.event_match(event_node, &penalty.path("event"))?,
                    points: self.whole_at_most(&penalty, "points", None, 100)?,
                    why: self.text(&penalty, "why")?,
                })
            })
            .collect();
        let par_minutes = self.whole_at_most(&fields, "par_minutes", None, 100_000);
        let pass_mark = self.whole_at_most(&fields, "pass_mark", Some(70), u32::MAX);
        if let (Some(mark), Some(node)) = (pass_mark, fields.get("pass_mark"))
            && mark > 100
        {
            self.problem(node, "pass_mark", "a pass mark is out of 100");
        }
        let debrief = self.text(&fields, "debrief");
        let talking_points = self.texts(&fields, "talking_points");
        let variants = self
            .list(&fields, "variants")
            .into_iter()
            .filter_map(|(path, node)| self.variant(node, &path, &choices))
            .collect();
        Some(Lab {
            id: id?,
            title: title?,
            track: track?,
            audiences,
            difficulty: difficulty?,
            minutes: minutes?,
            situation: situation?,
            customer_question: customer_question.unwrap_or_default(),
            learning_objectives,
            world: world?,
            seed: seed?,
            choices,
            faults,
            objectives,
            hints,
            penalties,
            par_s: u64::from(par_minutes?) * 60,
            pass_mark: pass_mark?,
            debrief: debrief?,
            talking_points,
            variants,
        })
    }

    fn choice(
        &mut self,
        node: &Node,
        path: &str,
        parameters: Option<&[worlds::Parameter]>,
    ) -> Option<Choice> {
        let fields = self.fields(node, path, CHOICE_KEYS)?;
        let key = self.text(&fields, "key")?;
        let parameter = parameters.and_then(|all| all.iter().find(|p| p.key == key));
        if let (Some(all), None) = (parameters, parameter) {
            let keys: Vec<&str> = all.iter().map(|p| p.key).collect();
            let suggestion = nearest(&key, &keys)
                .map_or_else(String::new, |near| format!("; did you mean `{near}`?"));
            let at = fields.get("key").unwrap_or(node);
            self.problem(
                at,
                &fields.path("key"),
                &format!(
                    "the starting world has no choice `{key}` (it has {}){suggestion}",
                    keys.join(", ")
                ),
            );
        }
        let options: Vec<ChoiceOption> = self
            .list(&fields, "options")
            .into_iter()
            .filter_map(|(option_path, option_node)| {
                let option = self.fields(option_node, &option_path, OPTION_KEYS)?;
                let value = self.text(&option, "value")?;
                if let Some(parameter) = parameter
                    && !parameter.values.contains(&value.as_str())
                {
                    let at = option.get("value").unwrap_or(option_node);
                    self.problem(
                        at,
                        &option.path("value"),
                        &format!(
                            "`{value}` is not a value of `{key}` (it takes {})",
                            parameter.values.join(", ")
                        ),
                    );
                }
                Some(ChoiceOption {
                    label: self
                        .optional_text(&option, "label")
                        .unwrap_or(value.clone()),
                    value,
                })
            })
            .collect();
        if options.is_empty() {
            self.problem(
                node,
                &fields.path("options"),
                "a choice needs at least one option",
            );
        }
        let default = self.text(&fields, "default")?;
        if !options.iter().any(|o| o.value == default) {
            let at = fields.get("default").unwrap_or(node);
            self.problem(
                at,
                &fields.path("default"),
                &format!("`{default}` is not one of the options"),
            );
        }
        Some(Choice {
            label: self.text(&fields, "label")?,
            help: self.optional_text(&fields, "help").unwrap_or_default(),
            key,
            options,
            default,
        })
    }

    /// Reports each of `names` (read from the list `key`, in its order) given a second time.
    fn given_twice(&mut self, fields: &Fields, key: &str, names: &[&str], what: &str) {
        let mut seen = BTreeSet::new();
        for (name, (path, node)) in names.iter().zip(self.list(fields, key)) {
            if !seen.insert(*name) {
                self.problem(node, &path, &format!("the {what} `{name}` is given twice"));
            }
        }
    }

    fn fault(&mut self, node: &Node, path: &str) -> Option<LabFault> {
        let fields = self.fields(node, path, FAULT_KEYS)?;
        let kind = self.text(&fields, "kind")?;
        let kinds: Vec<&'static str> = crate::world::fault::catalogue()
            .iter()
            .map(|k| k.id())
            .collect();
        if !kinds.contains(&kind.as_str()) {
            let suggestion = nearest(&kind, &kinds)
                .map_or_else(String::new, |near| format!("; did you mean `{near}`?"));
            let at = fields.get("kind").unwrap_or(node);
            self.problem(
                at,
                &fields.path("kind"),
                &format!("there is no fault kind `{kind}` (`dojo faults` lists them){suggestion}"),
            );
        }
        let at_s = match fields.get("at") {
            Some(_) => self.duration(&fields, "at")?,
            None => {
                self.required(&fields, "at");
                return None;
            }
        };
        let duration_s = match fields.get("for") {
            Some(_) => Some(self.duration(&fields, "for")?),
            None => None,
        };
        Some(LabFault {
            kind,
            at_s,
            duration_s,
            environment: self.text(&fields, "environment")?,
            service: self.optional_text(&fields, "service"),
            version: self.optional_text(&fields, "version"),
        })
    }

    fn objective(&mut self, node: &Node, path: &str) -> Option<Objective> {
        let fields = self.fields(node, path, OBJECTIVE_KEYS)?;
        let judged = match fields.get("judged") {
            None => Some(Judged::Eventually),
            Some(at) => self.word(
                at,
                &fields.path("judged"),
                &[
                    (Judged::Eventually, "eventually"),
                    (Judged::AtEnd, "at_end"),
                ],
            ),
        };
        let check = self
            .required(&fields, "check")
            .and_then(|at| self.predicate(at, &fields.path("check")));
        let fails_when = fields
            .get("fails_when")
            .map(|at| self.predicate(at, &fields.path("fails_when")));
        Some(Objective {
            id: self.text(&fields, "id")?,
            text: self.text(&fields, "text")?,
            weight: self.whole_at_most(&fields, "weight", Some(1), 1_000)?,
            required: self.flag(&fields, "required", false),
            check: check?,
            judged: judged?,
            fails_when: match fails_when {
                Some(predicate) => Some(predicate?),
                None => None,
            },
            pass_message: self.text(&fields, "pass")?,
            fail_message: self.text(&fields, "fail")?,
        })
    }

    fn predicate(&mut self, node: &Node, path: &str) -> Option<Predicate> {
        let fields = self.fields(node, path, PREDICATE_KEYS)?;
        let forms = [
            "all",
            "any",
            "not",
            "metric",
            "event",
            "outcome",
            "phase",
            "for",
            "before",
            "within",
            "auditor_package",
            "slo_passes",
        ];
        let given: Vec<&str> = forms.iter().copied().filter(|k| fields.has(k)).collect();
        if given.len() != 1 {
            self.problem(
                node,
                path,
                &format!(
                    "a condition has exactly one of {}; found {}",
                    forms.join(", "),
                    if given.is_empty() {
                        "none".to_string()
                    } else {
                        given.join(" and ")
                    }
                ),
            );
            return None;
        }
        let inner = |reader: &mut Reader| -> Option<Box<Predicate>> {
            let at = reader.required(&fields, "check")?;
            reader.predicate(at, &fields.path("check")).map(Box::new)
        };
        match given[0] {
            form @ ("all" | "any") => {
                let parts: Vec<Option<Predicate>> = self
                    .list(&fields, form)
                    .into_iter()
                    .map(|(item_path, item)| self.predicate(item, &item_path))
                    .collect();
                let parts: Option<Vec<Predicate>> = parts.into_iter().collect();
                let parts = parts?;
                if parts.is_empty() {
                    self.problem(node, &fields.path(form), "needs at least one condition");
                }
                Some(if form == "all" {
                    Predicate::All(parts)
                } else {
                    Predicate::Any(parts)
                })
            }
            "not" => {
                let at = fields.get("not")?;
                Some(Predicate::Not(Box::new(
                    self.predicate(at, &fields.path("not"))?,
                )))
            }
            "metric" => {
                let metric = self.word(fields.get("metric")?, &fields.path("metric"), &Metric::ALL);
                let op = self
                    .required(&fields, "op")
                    .and_then(|at| self.word(at, &fields.path("op"), &Comparison::ALL));
                let value = self
                    .required(&fields, "value")
                    .and_then(|at| self.number::<i64>(at, &fields.path("value"), "a number"));
                Some(Predicate::Metric {
                    metric: metric?,
                    op: op?,
                    value: value?,
                })
            }
            "event" => Some(Predicate::Event(
                self.event_match(fields.get("event")?, &fields.path("event"))?,
            )),
            "outcome" => Some(Predicate::Outcome(self.text(&fields, "outcome")?)),
            "phase" => Some(Predicate::Phase(self.text(&fields, "phase")?)),
            "slo_passes" => {
                let name = self.text(&fields, "slo_passes")?;
                let names = ["availability", "latency", "error_rate", "success_rate"];
                if !names.contains(&name.as_str()) {
                    let at = fields.get("slo_passes").unwrap_or(node);
                    self.problem(
                        at,
                        &fields.path("slo_passes"),
                        &format!("`{name}` is not one of {}", names.join(", ")),
                    );
                }
                Some(Predicate::SloPasses(name))
            }
            "for" => {
                let duration = self.duration(&fields, "for");
                let inner = inner(self);
                Some(Predicate::For {
                    duration_s: duration?,
                    inner: inner?,
                })
            }
            "before" => {
                let event = self.event_match(fields.get("before")?, &fields.path("before"));
                let inner = inner(self);
                Some(Predicate::Before {
                    event: event?,
                    inner: inner?,
                })
            }
            "within" => {
                let duration = self.duration(&fields, "within");
                let of = self
                    .required(&fields, "of")
                    .and_then(|at| self.event_match(at, &fields.path("of")));
                let inner = inner(self);
                Some(Predicate::Within {
                    duration_s: duration?,
                    of: of?,
                    inner: inner?,
                })
            }
            _ => {
                let at = fields.get("auditor_package")?;
                let package = self.fields(at, &fields.path("auditor_package"), PACKAGE_KEYS)?;
                let reviewers = self.texts(&package, "reviewers");
                if reviewers.is_empty() {
                    self.problem(at, &package.path("reviewers"), "name at least one reviewer");
                }
                Some(Predicate::AuditorPackage {
                    branch: self.text(&package, "branch")?,
                    reviewers,
                })
            }
        }
    }

    fn duration(&mut self, fields: &Fields, key: &str) -> Option<u64> {
        let node = fields.get(key)?;
        let text = self.text_at(node, &fields.path(key))?;
        let seconds = duration_s(&text);
        if seconds.is_none() {
            self.problem(
                node,
                &fields.path(key),
                &format!("`{text}` is not a duration (write 90s, 5m, 1h30m or 2d)"),
            );
        }
        seconds
    }

    fn event_match(&mut self, node: &Node, path: &str) -> Option<EventMatch> {
        let fields = self.fields(node, path, EVENT_KEYS)?;
        Some(EventMatch {
            action: self.text(&fields, "action")?,
            by: self.optional_text(&fields, "by"),
            environment: self.optional_text(&fields, "environment"),
            outcome: self.optional_text(&fields, "outcome"),
            reason_contains: self.optional_text(&fields, "reason_contains"),
        })
    }

    fn variant(&mut self, node: &Node, path: &str, choices: &[Choice]) -> Option<Variant> {
        let fields = self.fields(node, path, VARIANT_KEYS)?;
        let name = self.text(&fields, "name")?;
        let at = self.required(&fields, "choices")?;
        let keys: Vec<&str> = choices.iter().map(|c| c.key.as_str()).collect();
        let given = self.fields(at, &fields.path("choices"), &keys)?;
        let mut values = BTreeMap::new();
        for (key, value_node) in &given.entries {
            let value_path = given.path(key);
            let Some(value) = self.text_at(value_node, &value_path) else {
                continue;
            };
            let choice = choices.iter().find(|c| c.key == *key)?;
            if !choice.options.iter().any(|o| o.value == value) {
                self.problem(
                    value_node,
                    &value_path,
                    &format!("`{value}` is not one of the options of `{key}`"),
                );
            }
            values.insert(key.to_string(), value);
        }
        Some(Variant {
            name,
            choices: values,
        })
    }
}

/// The allowed word nearest to `word`, if it is near enough to be a slip.
pub fn nearest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() as u32 / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance between two words.
fn edit_distance(left: &str, right: &str) -> u32 {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<u32> = (0..=right.len() as u32).collect();
    for (i, l) in left.chars().enumerate() {
        let mut current = vec![i as u32 + 1];
        for (j, r) in right.iter().enumerate() {
            let substitution = previous[j] + u32::from(l != *r);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[right.len()]
}
