//! The house's layout as a test: no import cycle between files or between folders, in the engine
//! and in the app, so the arrows of ARCHITECTURE.md's map go one way.
//!
//! A file depends on another when its code names an item through it: `crate::a::b::Item`,
//! `super::b::Item`, or, in a `mod.rs`, `use child::Item` of a module it declares. Comments do
//! not count, and neither does an inline `mod tests` naming its own file through `super`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[test]
fn the_engine_has_no_import_cycle_between_files_or_folders() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    assert_no_cycles(&root, "engine/src");
}

#[test]
fn the_app_has_no_import_cycle_between_files_or_folders() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    assert_no_cycles(&root, "src");
}

#[test]
fn the_checker_finds_a_cycle_through_super_and_crate_paths() {
    let files = BTreeMap::from([
        (vec![], "pub mod a;\npub mod b;\n".to_string()),
        (vec!["a".to_string()], "use crate::b::Thing;\n".to_string()),
        (
            vec!["b".to_string()],
            "fn f() { super::a::helper() }\n".to_string(),
        ),
    ]);
    let graph = file_graph(&files);
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".to_string(), "b".to_string(), "a".to_string()])
    );
    let inline_tests = BTreeMap::from([
        (vec![], "pub mod a;\n".to_string()),
        (
            vec!["a".to_string()],
            "// crate::a::x in a comment\n#[cfg(test)]\nmod tests {\n    use super::*;\n    fn g() { super::helper() }\n}\n"
                .to_string(),
        ),
    ]);
    assert_eq!(find_cycle(&file_graph(&inline_tests)), None);
}

/// Fails with every cycle's path when the crate under `root` has one between files or folders.
fn assert_no_cycles(root: &Path, shown_as: &str) {
    let mut paths = Vec::new();
    crate::tidy::collect_rust_files(root, &mut paths);
    let files: BTreeMap<Vec<String>, String> = paths
        .iter()
        .filter_map(|path| {
            let relative = path
                .strip_prefix(root)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            // Binaries are leaves: nothing in the library can name them.
            if relative.starts_with("bin/") || relative == "main.rs" {
                return None;
            }
            Some((module_path(&relative), std::fs::read_to_string(path).ok()?))
        })
        .collect();
    assert!(files.len() > 5, "found the sources of {shown_as}");
    let graph = file_graph(&files);
    let mut problems: Vec<String> = every_cycle(&graph)
        .iter()
        .map(|cycle| format!("files: {}", shown(cycle, shown_as)))
        .collect();
    problems.extend(
        every_cycle(&folder_graph(&graph))
            .iter()
            .map(|cycle| format!("folders: {}", cycle.join(" → "))),
    );
    assert!(
        problems.is_empty(),
        "import cycles in {shown_as}:\n{}",
        problems.join("\n")
    );
}

/// `world/fleet.rs` is `["world", "fleet"]`, `world/mod.rs` is `["world"]`, `lib.rs` is `[]`.
fn module_path(relative: &str) -> Vec<String> {
    let without_extension = relative.trim_end_matches(".rs");
    let mut segments: Vec<String> = without_extension.split('/').map(str::to_string).collect();
    if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
        segments.pop();
    }
    segments
}

/// Each module's dependencies on the other modules of the same crate.
fn file_graph(files: &BTreeMap<Vec<String>, String>) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<&Vec<String>> = files.keys().collect();
    let mut graph = BTreeMap::new();
    for (module, text) in files {
        let mut dependencies = BTreeSet::new();
        let children: BTreeSet<String> = text
            .lines()
            .filter_map(|line| {
                let line = line.trim_start().trim_start_matches("pub ");
                let name = line.strip_prefix("mod ")?.strip_suffix(';')?;
                Some(name.to_string())
            })
            .collect();
        let mut inside_inline_module = false;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            if trimmed.starts_with("mod ") && trimmed.ends_with('{') {
                inside_inline_module = true;
            }
            for (prefix, base) in [
                ("crate::", Vec::new()),
                ("super::", parent_of(module, inside_inline_module)),
            ] {
                for path in paths_after(line, prefix) {
                    let mut full = base.clone();
                    full.extend(path);
                    dependencies.extend(resolve(&full, &modules));
                }
            }
            let use_line = trimmed.trim_start_matches("pub ");
            if let Some(rest) = use_line.strip_prefix("use ") {
                let first = rest.split("::").next().unwrap_or_default();
                if children.contains(first) {
                    let mut full = module.clone();
                    full.push(first.to_string());
                    dependencies.extend(resolve(&full, &modules));
                }
            }
        }
        dependencies.remove(&module.join("::"));
        graph.insert(module.join("::"), dependencies);
    }
    graph
}

/// The module `super` names: the parent of a file's module, or the file's own module inside an
/// inline `mod tests`.
fn parent_of(module: &[String], inside_inline_module: bool) -> Vec<String> {
    if inside_inline_module {
        return module.to_vec();
    }
    module[..module.len().saturating_sub(1)].to_vec()
}

/// The identifier segments of each path that follows `prefix` on `line`.
fn paths_after(line: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(prefix) {
        let preceded_by_identifier = rest[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        rest = &rest[start + prefix.len()..];
        if preceded_by_identifier {
            continue;
        }
        let path: Vec<String> = rest
            .split("::")
            .map(|segment| {
                segment
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|segment| !segment.is_empty())
            .collect();
        paths.push(path);
    }
    paths
}

/// The longest prefix of `path` that is a module of the crate.
fn resolve(path: &[String], modules: &BTreeSet<&Vec<String>>) -> Option<String> {
    (0..=path.len())
        .rev()
        .map(|length| path[..length].to_vec())
        .find(|prefix| modules.contains(prefix))
        .map(|module| module.join("::"))
}

/// Modules grouped by their top-level folder (or top-level file); the crate root re-exports
/// and is left out.
fn folder_graph(files: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let folder = |module: &str| module.split("::").next().unwrap_or_default().to_string();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, dependencies) in files.iter().filter(|(m, _)| !m.is_empty()) {
        let from = folder(module);
        let entry = graph.entry(from.clone()).or_default();
        for dependency in dependencies.iter().filter(|d| !d.is_empty()) {
            let to = folder(dependency);
            if to != from {
                entry.insert(to);
            }
        }
    }
    graph
}

/// Cycles of `graph`, each found and then broken at its closing edge so the next shows, until
/// none is left.
fn every_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut graph = graph.clone();
    let mut cycles = Vec::new();
    while let Some(cycle) = find_cycle(&graph) {
        let (from, to) = (&cycle[cycle.len() - 2], &cycle[cycle.len() - 1]);
        if let Some(edges) = graph.get_mut(from) {
            edges.remove(to);
        }
        cycles.push(cycle);
    }
    cycles
}

/// A cycle of `graph` as the path that closes it, or `None`.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Visiting) => {
                let start = stack.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Visiting);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}

fn shown(cycle: &[String], shown_as: &str) -> String {
    cycle
        .iter()
        .map(|module| format!("{shown_as}/{}", module.replace("::", "/")))
        .collect::<Vec<_>>()
        .join(" → ")
}
