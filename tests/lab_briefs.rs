//! Keeps `src/generated/lab_briefs.rs` equal to what the lab files say.
//!
//! The library and briefing read static briefs so that the first screen needs neither the YAML
//! parser nor the lab model (see `src/lab_brief.rs`). This test writes the briefs out from
//! `engine::labs::builtin_labs()`; when the file on disk differs, it rewrites it and fails, so a
//! changed lab file is never shown stale: run the tests again and commit the new file.

use std::fmt::Write;
use std::path::Path;

use engine::labs::builtin_labs;
use engine::labs::spec::Lab;

#[test]
fn generated_lab_briefs_match_the_lab_files() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/generated/lab_briefs.rs");
    let wanted = render(&builtin_labs());
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != wanted {
        std::fs::write(&path, &wanted).expect("write src/generated/lab_briefs.rs");
        panic!(
            "{} was stale and has been rewritten from the lab files; run the tests again and commit it",
            path.display()
        );
    }
}

#[test]
fn every_built_in_lab_has_a_brief_in_catalogue_order() {
    let ids: Vec<String> = builtin_labs().into_iter().map(|lab| lab.id).collect();
    let briefed: Vec<&str> = deploy_dojo::generated::lab_briefs::LAB_BRIEFS
        .iter()
        .map(|brief| brief.id)
        .collect();
    assert_eq!(briefed, ids);
}

/// The Rust source of `LAB_BRIEFS` for `labs`. Strings are written with `{:?}`, whose escapes
/// are valid Rust string literals.
fn render(labs: &[Lab]) -> String {
    let mut out = String::from(
        "//! Written by `tests/lab_briefs.rs` from `engine/labs/`: do not edit by hand.\n\n\
         use crate::lab_brief::{ChoiceBrief, LabBrief, ObjectiveBrief};\n\n\
         /// Every built-in lab, in the catalogue's order.\n\
         pub static LAB_BRIEFS: &[LabBrief] = &[\n",
    );
    for lab in labs {
        let strings = |items: &mut dyn Iterator<Item = String>| {
            items
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "    LabBrief {{");
        let _ = writeln!(out, "        id: {:?},", lab.id);
        let _ = writeln!(out, "        title: {:?},", lab.title);
        let _ = writeln!(out, "        track: {:?},", lab.track);
        let audiences = strings(&mut lab.audiences.iter().map(|a| a.label().to_string()));
        let _ = writeln!(out, "        audiences: &[{audiences}],");
        let _ = writeln!(out, "        difficulty: {:?},", lab.difficulty.label());
        let _ = writeln!(out, "        minutes: {},", lab.minutes);
        let _ = writeln!(out, "        situation: {:?},", lab.situation);
        let _ = writeln!(
            out,
            "        customer_question: {:?},",
            lab.customer_question
        );
        let learning = strings(&mut lab.learning_objectives.iter().cloned());
        let _ = writeln!(out, "        learning_objectives: &[{learning}],");
        let _ = writeln!(out, "        objectives: &[");
        for objective in &lab.objectives {
            let _ = writeln!(
                out,
                "            ObjectiveBrief {{ text: {:?}, required: {} }},",
                objective.text, objective.required
            );
        }
        let _ = writeln!(out, "        ],");
        let _ = writeln!(out, "        choices: &[");
        for choice in &lab.choices {
            let options = choice
                .options
                .iter()
                .map(|o| format!("({:?}, {:?})", o.value, o.label))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                out,
                "            ChoiceBrief {{ key: {:?}, label: {:?}, help: {:?}, default: {:?}, options: &[{options}] }},",
                choice.key, choice.label, choice.help, choice.default
            );
        }
        let _ = writeln!(out, "        ],");
        let _ = writeln!(out, "        seed: {},", lab.seed);
        let _ = writeln!(out, "    }},");
    }
    out.push_str("];\n");
    out
}
