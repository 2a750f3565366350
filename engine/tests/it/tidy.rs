//! Source rules that keep the engine deterministic and pure, checked as a test.

use std::path::Path;

/// Names that must not appear in engine sources, with the reason.
const BANNED: &[(&str, &str)] = &[
    ("HashMap", "iteration order is random; use BTreeMap"),
    ("HashSet", "iteration order is random; use BTreeSet"),
    ("std::time", "the engine reads no clock; use Tick"),
    ("Instant::", "the engine reads no clock; use Tick"),
    ("SystemTime", "the engine reads no clock; use Tick"),
    ("thread_rng", "all randomness comes from the seeded Prng"),
    ("getrandom", "all randomness comes from the seeded Prng"),
    ("wasm_bindgen", "the engine depends on no web crate"),
    ("web_sys", "the engine depends on no web crate"),
    ("js_sys", "the engine depends on no web crate"),
    ("yew", "the engine depends on no web crate"),
    ("gloo", "the engine depends on no web crate"),
    (
        ": usize",
        "simulated state uses u32/u64 so wasm32 and x86_64 agree (`as usize` to index is fine)",
    ),
    (
        "<usize",
        "simulated state uses u32/u64 so wasm32 and x86_64 agree",
    ),
    (
        "usize>",
        "simulated state uses u32/u64 so wasm32 and x86_64 agree",
    ),
    (
        "(usize",
        "simulated state uses u32/u64 so wasm32 and x86_64 agree",
    ),
    (
        ".ln()",
        "std transcendental functions differ between targets; use libm",
    ),
    (
        ".exp()",
        "std transcendental functions differ between targets; use libm",
    ),
    (
        ".powf(",
        "std transcendental functions differ between targets; use libm",
    ),
    (
        ".sin()",
        "std transcendental functions differ between targets; use libm",
    ),
    (
        ".cos()",
        "std transcendental functions differ between targets; use libm",
    ),
    ("#[ignore]", "no ignored tests"),
];

#[test]
fn engine_sources_use_no_banned_apis() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    let mut files = Vec::new();
    collect_rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 5, "found the engine's sources");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let relative = file
            .strip_prefix(root.join("src"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (line_number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            // The CLI's main may read the wall clock (to time `dojo bench`); the simulation may not.
            let clock_allowed = relative.starts_with("bin/");
            for (name, why) in BANNED {
                if clock_allowed && (name.contains("time") || name.contains("Instant")) {
                    continue;
                }
                if line.contains(name) {
                    problems.push(format!(
                        "src/{relative}:{}: `{name}` is banned: {why}",
                        line_number + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn engine_manifest_has_no_web_dependency() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    for web_crate in [
        "yew",
        "web-sys",
        "js-sys",
        "gloo",
        "wasm-bindgen",
        "getrandom",
    ] {
        let dependency_line = manifest.lines().any(|line| {
            line.trim_start().starts_with(&format!("{web_crate} "))
                || line.trim_start().starts_with(&format!("{web_crate}="))
        });
        assert!(!dependency_line, "engine/Cargo.toml depends on {web_crate}");
    }
}

pub fn collect_rust_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}
