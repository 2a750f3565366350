//! Tests of `expr.rs`.

use super::*;

fn context() -> Context {
    let mut context = Context {
        success: true,
        ..Context::default()
    };
    context.set("github.ref", "refs/heads/main");
    context.set("github.event_name", "push");
    context.set("inputs.environment", "production");
    context.set("inputs.skip_tests", "false");
    context.set("needs.build.result", "success");
    context
}

/// Conditions from the course's workflows and GitHub's documentation, with their values.
#[test]
fn conditions() {
    let table = [
        ("github.ref == 'refs/heads/main'", true),
        ("${{ github.ref == 'refs/heads/main' }}", true),
        (
            "github.ref == 'refs/heads/develop' || github.ref == 'refs/heads/main'",
            true,
        ),
        ("github.ref == 'refs/heads/develop'", false),
        ("github.REF == 'REFS/HEADS/MAIN'", true),
        ("github.event_name != 'pull_request'", true),
        ("inputs.skip_tests != 'true'", true),
        ("!(inputs.skip_tests == 'true')", true),
        ("contains(github.ref, 'main')", true),
        ("startsWith(github.ref, 'refs/tags/')", false),
        ("endsWith(inputs.environment, 'tion')", true),
        ("needs.build.result == 'success'", true),
        ("always()", true),
        ("failure()", false),
        ("cancelled()", false),
        ("success() && github.event_name == 'push'", true),
        ("inputs.missing", false),
        ("1 == '1'", true),
        ("0 == ''", true),
        ("null == 0", true),
        ("'abc' < 'abd'", true),
        ("2 >= 10", false),
        ("0x10 == 16", true),
        (
            "format('{0}-{1}', 'deploy', inputs.environment) == 'deploy-production'",
            true,
        ),
    ];
    for (condition, expected) in table {
        assert_eq!(
            evaluate_condition(condition, &context()),
            Ok(expected),
            "{condition}"
        );
    }
}

/// Without a status function, a condition means `success() && (condition)`.
#[test]
fn status_functions_and_the_implicit_success() {
    let mut failed = context();
    failed.success = false;
    failed.failure = true;
    assert_eq!(
        evaluate_condition("github.ref == 'refs/heads/main'", &failed),
        Ok(false)
    );
    assert_eq!(evaluate_condition("failure()", &failed), Ok(true));
    assert_eq!(
        evaluate_condition("always() && github.ref == 'refs/heads/main'", &failed),
        Ok(true)
    );
    assert_eq!(evaluate_condition("!cancelled()", &failed), Ok(true));
    let mut skipped = context();
    skipped.success = false;
    assert_eq!(
        evaluate_condition("failure()", &skipped),
        Ok(false),
        "skipped is not failed"
    );
    let mut cancelled = context();
    cancelled.cancelled = true;
    assert_eq!(evaluate_condition("success()", &cancelled), Ok(false));
    assert_eq!(evaluate_condition("cancelled()", &cancelled), Ok(true));
    // `&&` and `||` give an operand, not a boolean.
    assert_eq!(
        evaluate("inputs.missing || 'staging'", &context()),
        Ok(Value::String("staging".to_string()))
    );
}

/// The documentation's examples of the functions, object filters and literals.
#[test]
fn functions_filters_and_literals_as_documented() {
    let table = [
        (
            "format('Hello {0} {1} {2}', 'Mona', 'the', 'Octocat')",
            "Hello Mona the Octocat",
        ),
        (
            "format('{{Hello {0} {1} {2}!}}', 'Mona', 'the', 'Octocat')",
            "{Hello Mona the Octocat!}",
        ),
        ("contains('Hello world', 'llo')", "true"),
        (
            "contains(fromJSON('[\"push\", \"pull_request\"]'), github.event_name)",
            "true",
        ),
        (
            "contains(fromJSON('[\"pull_request\"]'), github.event_name)",
            "false",
        ),
        ("startsWith('Hello world', 'He')", "true"),
        ("endsWith('Hello world', 'ld')", "true"),
        (
            "join(fromJSON('[\"bug\", \"help wanted\"]'), ', ')",
            "bug, help wanted",
        ),
        ("join('abc')", "abc"),
        ("join(fromJSON('[1, 2]'))", "1,2"),
        ("toJSON(fromJSON('{\"a\": 1}'))", "{\n  \"a\": 1\n}"),
        ("fromJSON('{\"a\": {\"b\": [10, 20]}}').a.b[1]", "20"),
        ("fromJSON('{\"a\": {\"b\": [10, 20]}}')['a']['b'][0]", "10"),
        (
            "join(fromJSON('[{\"name\": \"apple\"}, {\"name\": \"orange\"}, {\"name\": \"pear\"}]').*.name, ' ')",
            "apple orange pear",
        ),
        ("fromJSON('true') && fromJSON('1') == 1", "true"),
        ("fromJSON('[1]') == fromJSON('[1]')", "false"),
        ("fromJSON('{}') != fromJSON('{}')", "true"),
        ("-9.2 < 0", "true"),
        ("2.99e-2 < 0.03", "true"),
        ("0xff == 255", "true"),
        ("hashFiles('**/package-lock.json') == ''", "true"),
        ("github['ref']", "refs/heads/main"),
        ("fromJSON('[10, 20]')[5]", ""),
    ];
    for (expression, expected) in table {
        assert_eq!(
            evaluate(expression, &context()).map(|v| v.to_text()),
            Ok(expected.to_string()),
            "{expression}"
        );
    }
    for (expression, problem) in [
        (
            "format('{0} {1}', 'a')",
            "references argument 1 but only 1 were supplied",
        ),
        ("format('a } b')", "must be doubled"),
        ("fromJSON('{oops')", "not JSON"),
        ("frobnicate()", "is not a GitHub Actions function"),
    ] {
        let error = evaluate(expression, &context()).unwrap_err();
        assert!(error.contains(problem), "{expression}: {error}");
    }
}

#[test]
fn templates_and_errors() {
    assert_eq!(
        interpolate(
            "deploy-${{ inputs.environment }}-${{ github.ref }}",
            &context()
        ),
        Ok("deploy-production-refs/heads/main".to_string())
    );
    for (bad, message) in [
        ("github.ref == \"main\"", "single quotes"),
        ("github.ref ==", "expected a value, found the end"),
        ("(always()", "expected ')'"),
        ("hashFiles()", "hashFiles() takes at least 1 argument"),
        ("success(1)", "success() takes 0 arguments, not 1"),
        ("'open", "never closed"),
        ("a b", "unexpected \"b\""),
    ] {
        let error = evaluate_condition(bad, &context()).unwrap_err();
        assert!(error.contains(message), "{bad}: {error}");
    }
}
