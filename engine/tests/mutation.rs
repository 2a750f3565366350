//! Structure-aware mutation of the repository's own example files: the manifests and workflows
//! under `tests/`, and the lab files under `labs/`. Each case parses a file, mutates its YAML
//! tree (deletes keys and items, puts values of the wrong type, huge numbers, unicode and very
//! long text, nests values deeply, repeats list items, renames keys), writes it out again and
//! sometimes truncates the text, then imports it (and runs what imports for 15 simulated
//! minutes) or reads the lab.
//!
//! It asserts what a user is promised about bad input: no panic, every refusal says where
//! (a field path, a line, or the whole file), and bounded time and memory.
//!
//! CI runs `DOJO_MUTATION_CASES` cases (3,000 unless set) from the fixed seed; set
//! `DOJO_MUTATION_SEED` to run another seed, for example
//! `DOJO_MUTATION_CASES=1000000 DOJO_MUTATION_SEED=7 cargo test --release -p engine --test mutation -- --nocapture`.
//! A failure prints the seed, the smallest failing input proptest found, and the command that
//! reproduces it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

use engine::import::{SourceFile, import_files};

/// The seed CI runs.
const DEFAULT_SEED: u64 = 13;
/// The cases CI runs.
const DEFAULT_CASES: u32 = 3_000;
/// No case may take longer (a guard against hangs, far above the slowest case seen).
const CASE_TIME_LIMIT: Duration = Duration::from_secs(10);
/// No case may allocate more at its peak (the simulation of one service is a few megabytes).
const CASE_MEMORY_LIMIT_BYTES: usize = 512 * 1024 * 1024;

/// Counts the bytes allocated now and at the peak, so that each case's memory is bounded.
struct CountingAllocator;

static ALLOCATED_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = ALLOCATED_BYTES.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK_BYTES.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        ALLOCATED_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// One file set of the corpus: the files read together, and whether it is a lab.
#[derive(Clone, Debug)]
struct Sample {
    files: Vec<(String, String)>,
    lab: bool,
}

/// A value put in place of another.
#[derive(Clone, Debug)]
enum Replacement {
    Integer(i64),
    Real(String),
    Boolean(bool),
    Null,
    Text(String),
    LongText(u16),
    EmptyList,
    EmptyMap,
}

/// One change to a YAML tree, at the node its number picks (counted in document order).
#[derive(Clone, Debug)]
enum Mutation {
    Replace(u32, Replacement),
    DropChild(u32, u32),
    Nest(u32, u8),
    Repeat(u32, u16),
    RenameChild(u32, u32, String),
}

/// A case: which sample, which of its files, the changes, and where to cut the text (as a
/// fraction of 65,536), if at all.
#[derive(Clone, Debug)]
struct Case {
    sample: usize,
    file: usize,
    mutations: Vec<Mutation>,
    truncate_at: Option<u16>,
}

#[test]
fn mutated_example_files_never_panic_and_refusals_say_where() {
    let seed = env_number("DOJO_MUTATION_SEED", DEFAULT_SEED);
    let cases = u32::try_from(env_number("DOJO_MUTATION_CASES", u64::from(DEFAULT_CASES)))
        .expect("DOJO_MUTATION_CASES fits in a u32");
    eprintln!(
        "mutation test: seed {seed}, {cases} cases (reproduce: DOJO_MUTATION_SEED={seed} DOJO_MUTATION_CASES={cases} cargo test -p engine --test mutation -- --nocapture)"
    );
    let corpus = corpus();
    let mut runner = TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    });
    let stats = std::cell::RefCell::new(Stats::default());
    let started = Instant::now();
    let result = runner.run(&case_strategy(&corpus), |case| {
        check_case(&corpus, &case, &mut stats.borrow_mut())
    });
    let stats = stats.into_inner();
    let elapsed = started.elapsed();
    eprintln!(
        "mutation test: {} runs ({} imported or read, {} refused, {} not written as YAML) in {:.1} s; slowest case {:.1} ms; largest peak {:.1} MB",
        stats.runs,
        stats.accepted,
        stats.refused,
        stats.unwritable,
        elapsed.as_secs_f64(),
        stats.slowest.as_secs_f64() * 1_000.0,
        stats.peak_bytes as f64 / 1_048_576.0
    );
    if let Err(failure) = result {
        panic!(
            "{failure}\nseed {seed}: reproduce with DOJO_MUTATION_SEED={seed} DOJO_MUTATION_CASES={cases} cargo test -p engine --test mutation -- --nocapture"
        );
    }
}

#[derive(Default)]
struct Stats {
    runs: u64,
    accepted: u64,
    refused: u64,
    unwritable: u64,
    slowest: Duration,
    peak_bytes: usize,
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {text:?}")),
        Err(_) => default,
    }
}

/// The repository's example files: each manifest and workflow alone, the split folder as one
/// set, and each lab.
fn corpus() -> Vec<Sample> {
    let root = env!("CARGO_MANIFEST_DIR");
    let read_folder = |folder: &str| -> Vec<(String, String)> {
        let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/{folder}"))
            .unwrap_or_else(|error| panic!("{folder}: {error}"))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|ext| ext == "yaml" || ext == "yml")
            })
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let text = std::fs::read_to_string(&path).expect("readable");
                (name, text)
            })
            .collect()
    };
    let mut samples = Vec::new();
    for folder in ["tests/manifests", "tests/workflows"] {
        for file in read_folder(folder) {
            samples.push(Sample {
                files: vec![file],
                lab: false,
            });
        }
    }
    samples.push(Sample {
        files: read_folder("tests/manifests/split"),
        lab: false,
    });
    for file in read_folder("labs") {
        samples.push(Sample {
            files: vec![file],
            lab: true,
        });
    }
    assert!(samples.len() >= 10, "the corpus has the repository's files");
    samples
}

fn replacement_strategy() -> impl Strategy<Value = Replacement> {
    prop_oneof![
        any::<i64>().prop_map(Replacement::Integer),
        prop::sample::select(vec![
            0i64,
            -1,
            1,
            101,
            i64::from(i32::MAX),
            i64::from(i32::MAX) + 1,
            i64::MAX,
            i64::MIN,
            1 << 40,
            86_400 * 366,
        ])
        .prop_map(Replacement::Integer),
        prop::sample::select(vec![
            "1e309", "-0.0", ".nan", ".inf", "-.inf", "0.5", "1e-9"
        ])
        .prop_map(|text| Replacement::Real(text.to_string())),
        any::<bool>().prop_map(Replacement::Boolean),
        Just(Replacement::Null),
        prop::collection::vec(any::<char>(), 0..24)
            .prop_map(|chars| Replacement::Text(chars.into_iter().collect())),
        prop::sample::select(vec![
            "",
            "50%",
            "-5%",
            "101%",
            "1e3",
            "0x1F",
            "999999999999s",
            "5m",
            "-1h",
            "{{args.x}}",
            "{{",
            "$default-branch",
            "$cron-daily",
            "Ünïcødé-名前",
            "128Mi",
            "1.5.6",
            "*/0 * * * *",
            "${{ github.ref }}",
            "argoproj.io/v1alpha1",
            "Rollout",
            "Deployment",
            "AnalysisTemplate",
        ])
        .prop_map(|text| Replacement::Text(text.to_string())),
        (1u16..20_000).prop_map(Replacement::LongText),
        Just(Replacement::EmptyList),
        Just(Replacement::EmptyMap),
    ]
}

fn mutation_strategy() -> impl Strategy<Value = Mutation> {
    let node = any::<u32>();
    prop_oneof![
        4 => (node, replacement_strategy()).prop_map(|(n, r)| Mutation::Replace(n, r)),
        3 => (node, any::<u32>()).prop_map(|(n, c)| Mutation::DropChild(n, c)),
        1 => (node, 1u8..=120).prop_map(|(n, d)| Mutation::Nest(n, d)),
        1 => (node, 0u16..3_000).prop_map(|(n, t)| Mutation::Repeat(n, t)),
        2 => (
            node,
            any::<u32>(),
            prop::sample::select(vec![
                "kind", "spec", "metadata", "name", "steps", "setWeight", "pause", "analysis",
                "templates", "args", "replicas", "strategy", "canary", "blueGreen", "jobs", "on",
                "needs", "environment", "workloadRef", "selector", "ünïcødé", "",
            ]),
        )
            .prop_map(|(n, c, k)| Mutation::RenameChild(n, c, k.to_string())),
    ]
}

fn case_strategy(corpus: &[Sample]) -> impl Strategy<Value = Case> + use<> {
    let sizes: Vec<usize> = corpus.iter().map(|s| s.files.len()).collect();
    (0..corpus.len())
        .prop_flat_map(move |sample| {
            (
                Just(sample),
                0..sizes[sample],
                prop::collection::vec(mutation_strategy(), 0..4),
                prop::option::weighted(0.15, any::<u16>()),
            )
        })
        .prop_map(|(sample, file, mutations, truncate_at)| Case {
            sample,
            file,
            mutations,
            truncate_at,
        })
}

fn check_case(corpus: &[Sample], case: &Case, stats: &mut Stats) -> Result<(), TestCaseError> {
    let sample = &corpus[case.sample];
    let (name, original) = &sample.files[case.file];
    let Some(text) = mutated_text(original, case) else {
        stats.unwritable += 1;
        return Ok(());
    };
    let mut files = sample.files.clone();
    files[case.file] = (name.clone(), text);
    let baseline = ALLOCATED_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(baseline, Ordering::Relaxed);
    let started = Instant::now();
    let problems = if sample.lab {
        read_and_start_lab(&files[0].0, &files[0].1)
    } else {
        import_and_run(&files)
    };
    let elapsed = started.elapsed();
    let peak = PEAK_BYTES.load(Ordering::Relaxed).saturating_sub(baseline);
    stats.runs += 1;
    stats.slowest = stats.slowest.max(elapsed);
    stats.peak_bytes = stats.peak_bytes.max(peak);
    match &problems {
        Ok(()) => stats.accepted += 1,
        Err(_) => stats.refused += 1,
    }
    prop_assert!(
        elapsed <= CASE_TIME_LIMIT,
        "{name}: took {elapsed:?}, more than {CASE_TIME_LIMIT:?}"
    );
    prop_assert!(
        peak <= CASE_MEMORY_LIMIT_BYTES,
        "{name}: a peak of {peak} bytes, more than {CASE_MEMORY_LIMIT_BYTES}"
    );
    if let Err(problems) = problems {
        prop_assert!(!problems.is_empty(), "{name}: refused without a reason");
        for problem in &problems {
            prop_assert!(
                says_where(problem),
                "{name}: the refusal {problem:?} does not say where"
            );
        }
    }
    Ok(())
}

/// The files imported and, when they import, simulated for 15 minutes.
fn import_and_run(files: &[(String, String)]) -> Result<(), Vec<String>> {
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(name, text)| SourceFile { name, text })
        .collect();
    let imported = import_files(&sources).map_err(|error| error.problems)?;
    let mut sim = engine::Sim::new(imported.scenario, 1);
    sim.continue_to(engine::time::Tick(15 * 60));
    Ok(())
}

/// The lab read and, when it reads, started with its default choices.
fn read_and_start_lab(name: &str, text: &str) -> Result<(), Vec<String>> {
    let lab = engine::labs::read::read_lab(name, text)?;
    engine::labs::run::LabRun::start(&lab, &Default::default(), 1).map_err(|p| vec![p])?;
    Ok(())
}

/// A refusal says where: a field path or a line before its `: `, or it is about the whole file.
fn says_where(problem: &str) -> bool {
    let whole_file = ["the file ", "no Deployment, Rollout or Canary in the file"];
    if whole_file.iter().any(|start| problem.starts_with(start)) {
        return true;
    }
    problem
        .split_once(": ")
        .is_some_and(|(place, what)| !place.trim().is_empty() && !what.trim().is_empty())
}

/// The file's documents with the case's mutations applied, written out as YAML and cut where
/// the case says; `None` when the mutated tree cannot be written (the emitter refuses it).
fn mutated_text(original: &str, case: &Case) -> Option<String> {
    let mut documents = YamlLoader::load_from_str(original).ok()?;
    for mutation in &case.mutations {
        let count: u32 = documents.iter().map(node_count).sum();
        if count == 0 {
            break;
        }
        let mut target = match mutation {
            Mutation::Replace(n, _)
            | Mutation::DropChild(n, _)
            | Mutation::Nest(n, _)
            | Mutation::Repeat(n, _)
            | Mutation::RenameChild(n, _, _) => n % count,
        };
        for document in &mut documents {
            if apply(document, &mut target, mutation) {
                break;
            }
        }
    }
    let mut text = String::new();
    for document in &documents {
        let mut out = String::new();
        YamlEmitter::new(&mut out).dump(document).ok()?;
        text.push_str(&out);
        text.push('\n');
    }
    if let Some(fraction) = case.truncate_at {
        let mut cut = text.len() * usize::from(fraction) / 65_536;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Some(text)
}

fn node_count(node: &Yaml) -> u32 {
    1 + match node {
        Yaml::Array(items) => items.iter().map(node_count).sum(),
        Yaml::Hash(map) => map.values().map(node_count).sum(),
        _ => 0,
    }
}

/// Applies `mutation` at the node `target` counts down to; true once applied.
fn apply(node: &mut Yaml, target: &mut u32, mutation: &Mutation) -> bool {
    if *target == 0 {
        change(node, mutation);
        return true;
    }
    *target -= 1;
    match node {
        Yaml::Array(items) => items.iter_mut().any(|item| apply(item, target, mutation)),
        Yaml::Hash(map) => {
            for (_, value) in map.iter_mut() {
                if apply(value, target, mutation) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

fn change(node: &mut Yaml, mutation: &Mutation) {
    match mutation {
        Mutation::Replace(_, replacement) => {
            *node = match replacement {
                Replacement::Integer(n) => Yaml::Integer(*n),
                Replacement::Real(text) => Yaml::Real(text.clone()),
                Replacement::Boolean(b) => Yaml::Boolean(*b),
                Replacement::Null => Yaml::Null,
                Replacement::Text(text) => Yaml::String(text.clone()),
                Replacement::LongText(length) => Yaml::String("ab-".repeat(usize::from(*length))),
                Replacement::EmptyList => Yaml::Array(Vec::new()),
                Replacement::EmptyMap => Yaml::Hash(Hash::new()),
            }
        }
        Mutation::DropChild(_, which) => match node {
            Yaml::Array(items) if !items.is_empty() => {
                let index = *which as usize % items.len();
                items.remove(index);
            }
            Yaml::Hash(map) if !map.is_empty() => {
                let index = *which as usize % map.len();
                let key = map.keys().nth(index).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
            }
            _ => {}
        },
        Mutation::Nest(_, depth) => {
            for level in 0..*depth {
                let inner = std::mem::replace(node, Yaml::Null);
                *node = if level % 2 == 0 {
                    Yaml::Array(vec![inner])
                } else {
                    let mut map = Hash::new();
                    map.insert(Yaml::String("x".to_string()), inner);
                    Yaml::Hash(map)
                };
            }
        }
        Mutation::Repeat(_, times) => {
            if let Yaml::Array(items) = node
                && !items.is_empty()
            {
                let copies: Vec<Yaml> = items
                    .iter()
                    .cycle()
                    .take(usize::from(*times))
                    .cloned()
                    .collect();
                *items = copies;
            }
        }
        Mutation::RenameChild(_, which, new_key) => {
            if let Yaml::Hash(map) = node
                && !map.is_empty()
            {
                let index = *which as usize % map.len();
                let entries: Vec<(Yaml, Yaml)> = std::mem::take(map).into_iter().collect();
                for (position, (key, value)) in entries.into_iter().enumerate() {
                    let key = if position == index {
                        Yaml::String(new_key.clone())
                    } else {
                        key
                    };
                    map.insert(key, value);
                }
            }
        }
    }
}
