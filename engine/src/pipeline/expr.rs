//! GitHub Actions expressions, as `if:` conditions and `${{ }}` templates use them: literals,
//! context properties (`github.ref`, `inputs.environment`, `needs.build.result`), the status
//! functions, `contains`, `startsWith`, `endsWith` and `format`, and the operators
//! `! < <= > >= == != && ||` with GitHub's loose equality (strings compare ignoring case,
//! mixed types compare as numbers) and truthiness (`false`, `0`, `''` and `null` are false).

use std::collections::BTreeMap;

/// A value an expression produces.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, also what a missing property reads as.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
}

impl Value {
    /// GitHub's truthiness.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
        }
    }

    /// The value as `${{ }}` writes it into text.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
        }
    }

    fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) if s.trim().is_empty() => 0.0,
            Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }
}

/// What an expression can see.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// Properties by dotted path, for example `github.ref` or `needs.build.result`.
    pub properties: BTreeMap<String, Value>,
    /// Every needed job (and theirs) succeeded: `success()`.
    pub success: bool,
    /// A needed job (or one of theirs) failed: `failure()`.
    pub failure: bool,
    /// The run was cancelled: `cancelled()`.
    pub cancelled: bool,
}

impl Context {
    /// Sets a string property.
    pub fn set(&mut self, path: &str, value: &str) {
        self.properties
            .insert(path.to_string(), Value::String(value.to_string()));
    }
}

/// Evaluates a job's or step's `if:` as GitHub does: `${{ }}` around it is optional, and
/// without a status function it means `success() && (condition)`.
pub fn evaluate_condition(condition: &str, context: &Context) -> Result<bool, String> {
    let text = strip_braces(condition.trim());
    let parsed = Parser::new(text)?.parse()?;
    let value = parsed.evaluate(context)?;
    Ok(if parsed.uses_status_function() {
        value.is_truthy()
    } else {
        context.success && value.is_truthy()
    })
}

/// Evaluates one expression (without the implicit `success()`).
pub fn evaluate(expression: &str, context: &Context) -> Result<Value, String> {
    Parser::new(strip_braces(expression.trim()))?
        .parse()?
        .evaluate(context)
}

/// Replaces every `${{ expression }}` in `template` with its value.
pub fn interpolate(template: &str, context: &Context) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("\"{template}\": a ${{{{ is never closed"))?;
        out.push_str(&evaluate(&after[..end], context)?.to_text());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn strip_braces(text: &str) -> &str {
    match text.strip_prefix("${{").and_then(|t| t.strip_suffix("}}")) {
        // Only when the braces wrap the whole text, not `${{ a }} && ${{ b }}`.
        Some(inner) if !inner.contains("}}") => inner.trim(),
        _ => text,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Literal(Value),
    Identifier(String),
    Dot,
    Comma,
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Not,
    Operator(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Literal(Value),
    Property(Vec<String>),
    Call(String, Vec<Expr>),
    Not(Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
}

struct Parser {
    source: String,
    tokens: Vec<Token>,
    position: u32,
}

impl Parser {
    fn new(source: &str) -> Result<Parser, String> {
        Ok(Parser {
            source: source.to_string(),
            tokens: tokenize(source)?,
            position: 0,
        })
    }

    fn parse(mut self) -> Result<Expr, String> {
        if self.tokens.is_empty() {
            return Err("the expression is empty".to_string());
        }
        let expr = self.or()?;
        match self.peek() {
            None => Ok(expr),
            Some(token) => Err(format!(
                "\"{}\": unexpected {} after a complete expression",
                self.source,
                describe(token)
            )),
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position as usize)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position as usize).cloned();
        self.position += 1;
        token
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Operator("||")) {
            self.next();
            left = Expr::Binary("||", Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.equality()?;
        while self.peek() == Some(&Token::Operator("&&")) {
            self.next();
            left = Expr::Binary("&&", Box::new(left), Box::new(self.equality()?));
        }
        Ok(left)
    }

    fn equality(&mut self) -> Result<Expr, String> {
        let mut left = self.comparison()?;
        while let Some(Token::Operator(op @ ("==" | "!="))) = self.peek().cloned() {
            self.next();
            left = Expr::Binary(op, Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while let Some(Token::Operator(op @ ("<" | "<=" | ">" | ">="))) = self.peek().cloned() {
            self.next();
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(&Token::Not) {
            self.next();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Literal(value)) => Ok(Expr::Literal(value)),
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close, "')'")?;
                Ok(inner)
            }
            Some(Token::Identifier(name)) if self.peek() == Some(&Token::Open) => {
                self.next();
                let mut arguments = Vec::new();
                if self.peek() != Some(&Token::Close) {
                    loop {
                        arguments.push(self.or()?);
                        if self.peek() == Some(&Token::Comma) {
                            self.next();
                        } else {
                            break;
                        }
                    }
                }
                self.expect(Token::Close, "')' after the arguments")?;
                Ok(Expr::Call(name.to_ascii_lowercase(), arguments))
            }
            Some(Token::Identifier(name)) => {
                let mut path = vec![name];
                loop {
                    match self.peek() {
                        Some(Token::Dot) => {
                            self.next();
                            match self.next() {
                                Some(Token::Identifier(part)) => path.push(part),
                                Some(Token::Operator("*")) => path.push("*".to_string()),
                                other => {
                                    return Err(format!(
                                        "\"{}\": a property name must follow '.', not {}",
                                        self.source,
                                        other.as_ref().map_or("the end".to_string(), describe)
                                    ));
                                }
                            }
                        }
                        Some(Token::OpenBracket) => {
                            self.next();
                            match self.next() {
                                Some(Token::Literal(Value::String(part))) => path.push(part),
                                other => {
                                    return Err(format!(
                                        "\"{}\": only a quoted name may go in [ ], not {}",
                                        self.source,
                                        other.as_ref().map_or("the end".to_string(), describe)
                                    ));
                                }
                            }
                            self.expect(Token::CloseBracket, "']'")?;
                        }
                        _ => break,
                    }
                }
                Ok(Expr::Property(path))
            }
            other => Err(format!(
                "\"{}\": expected a value, found {}",
                self.source,
                other.as_ref().map_or("the end".to_string(), describe)
            )),
        }
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<(), String> {
        match self.next() {
            Some(found) if found == token => Ok(()),
            other => Err(format!(
                "\"{}\": expected {what}, found {}",
                self.source,
                other.as_ref().map_or("the end".to_string(), describe)
            )),
        }
    }
}

impl Expr {
    fn uses_status_function(&self) -> bool {
        match self {
            Expr::Call(name, arguments) => {
                matches!(
                    name.as_str(),
                    "success" | "failure" | "always" | "cancelled"
                ) || arguments.iter().any(Expr::uses_status_function)
            }
            Expr::Not(inner) => inner.uses_status_function(),
            Expr::Binary(_, left, right) => {
                left.uses_status_function() || right.uses_status_function()
            }
            Expr::Literal(_) | Expr::Property(_) => false,
        }
    }

    fn evaluate(&self, context: &Context) -> Result<Value, String> {
        Ok(match self {
            Expr::Literal(value) => value.clone(),
            Expr::Property(path) => {
                let key = path.join(".");
                // Context names are case-insensitive; property values are kept as given.
                context
                    .properties
                    .get(&key)
                    .or_else(|| {
                        context
                            .properties
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
                            .map(|(_, v)| v)
                    })
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            Expr::Not(inner) => Value::Bool(!inner.evaluate(context)?.is_truthy()),
            Expr::Binary("&&", left, right) => {
                let left = left.evaluate(context)?;
                if left.is_truthy() {
                    right.evaluate(context)?
                } else {
                    left
                }
            }
            Expr::Binary("||", left, right) => {
                let left = left.evaluate(context)?;
                if left.is_truthy() {
                    left
                } else {
                    right.evaluate(context)?
                }
            }
            Expr::Binary(op, left, right) => {
                let (left, right) = (left.evaluate(context)?, right.evaluate(context)?);
                Value::Bool(compare(op, &left, &right))
            }
            Expr::Call(name, arguments) => {
                let values = arguments
                    .iter()
                    .map(|a| a.evaluate(context))
                    .collect::<Result<Vec<_>, _>>()?;
                call(name, &values, context)?
            }
        })
    }
}

fn call(name: &str, values: &[Value], context: &Context) -> Result<Value, String> {
    let arity = |n: u32| -> Result<(), String> {
        if values.len() as u32 == n {
            Ok(())
        } else {
            Err(format!(
                "{name}() takes {n} arguments, not {}",
                values.len()
            ))
        }
    };
    let text = |i: u32| values[i as usize].to_text().to_lowercase();
    Ok(match name {
        "success" => {
            arity(0)?;
            Value::Bool(context.success && !context.cancelled)
        }
        "failure" => {
            arity(0)?;
            Value::Bool(context.failure)
        }
        "always" => {
            arity(0)?;
            Value::Bool(true)
        }
        "cancelled" => {
            arity(0)?;
            Value::Bool(context.cancelled)
        }
        "contains" => {
            arity(2)?;
            Value::Bool(text(0).contains(&text(1)))
        }
        "startswith" => {
            arity(2)?;
            Value::Bool(text(0).starts_with(&text(1)))
        }
        "endswith" => {
            arity(2)?;
            Value::Bool(text(0).ends_with(&text(1)))
        }
        "format" => {
            let mut out = values.first().map(Value::to_text).unwrap_or_default();
            for (index, value) in values.iter().enumerate().skip(1) {
                out = out.replace(&format!("{{{}}}", index - 1), &value.to_text());
            }
            Value::String(out)
        }
        other => {
            return Err(format!(
                "{other}() is not simulated (supported: success, failure, always, cancelled, contains, startsWith, endsWith, format)"
            ));
        }
    })
}

/// GitHub's comparison: strings ignoring case, otherwise as numbers (NaN compares false).
fn compare(op: &str, left: &Value, right: &Value) -> bool {
    let ordering = match (left, right) {
        (Value::String(a), Value::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Value::Null, Value::Null) => Some(std::cmp::Ordering::Equal),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        _ => left.to_number().partial_cmp(&right.to_number()),
    };
    match (op, ordering) {
        ("==", Some(o)) => o.is_eq(),
        ("!=", Some(o)) => o.is_ne(),
        ("!=", None) => true,
        ("<", Some(o)) => o.is_lt(),
        ("<=", Some(o)) => o.is_le(),
        (">", Some(o)) => o.is_gt(),
        (">=", Some(o)) => o.is_ge(),
        _ => false,
    }
}

fn tokenize(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while let Some(&c) = chars.get(index) {
        let next = chars.get(index + 1).copied();
        let token = match c {
            ' ' | '\t' | '\n' | '\r' => {
                index += 1;
                continue;
            }
            '.' => Token::Dot,
            ',' => Token::Comma,
            '(' => Token::Open,
            ')' => Token::Close,
            '[' => Token::OpenBracket,
            ']' => Token::CloseBracket,
            '*' => Token::Operator("*"),
            '!' if next == Some('=') => {
                index += 1;
                Token::Operator("!=")
            }
            '!' => Token::Not,
            '=' if next == Some('=') => {
                index += 1;
                Token::Operator("==")
            }
            '<' | '>' => {
                let with_equals = next == Some('=');
                if with_equals {
                    index += 1;
                }
                Token::Operator(match (c, with_equals) {
                    ('<', false) => "<",
                    ('<', true) => "<=",
                    ('>', false) => ">",
                    _ => ">=",
                })
            }
            '&' if next == Some('&') => {
                index += 1;
                Token::Operator("&&")
            }
            '|' if next == Some('|') => {
                index += 1;
                Token::Operator("||")
            }
            '\'' => {
                let mut text = String::new();
                index += 1;
                loop {
                    match (chars.get(index), chars.get(index + 1)) {
                        (Some('\''), Some('\'')) => {
                            text.push('\'');
                            index += 2;
                        }
                        (Some('\''), _) => break,
                        (Some(ch), _) => {
                            text.push(*ch);
                            index += 1;
                        }
                        (None, _) => {
                            return Err(format!("\"{source}\": a string is never closed with '"));
                        }
                    }
                }
                Token::Literal(Value::String(text))
            }
            '"' => {
                return Err(format!(
                    "\"{source}\": strings use single quotes ('main'), not double quotes"
                ));
            }
            c if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let start = index;
                index += 1;
                while chars
                    .get(index)
                    .is_some_and(|ch| ch.is_ascii_alphanumeric() || *ch == '.')
                {
                    index += 1;
                }
                let text: String = chars[start..index].iter().collect();
                let number = match text.strip_prefix("0x") {
                    Some(hex) => i64::from_str_radix(hex, 16).map(|n| n as f64).ok(),
                    None => text.parse().ok(),
                }
                .ok_or_else(|| format!("\"{source}\": \"{text}\" is not a number"))?;
                tokens.push(Token::Literal(Value::Number(number)));
                continue;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = index;
                while chars
                    .get(index)
                    .is_some_and(|ch| ch.is_alphanumeric() || *ch == '_' || *ch == '-')
                {
                    index += 1;
                }
                let word: String = chars[start..index].iter().collect();
                tokens.push(match word.as_str() {
                    "true" => Token::Literal(Value::Bool(true)),
                    "false" => Token::Literal(Value::Bool(false)),
                    "null" => Token::Literal(Value::Null),
                    _ => Token::Identifier(word),
                });
                continue;
            }
            other => return Err(format!("\"{source}\": unexpected character '{other}'")),
        };
        tokens.push(token);
        index += 1;
    }
    Ok(tokens)
}

fn describe(token: &Token) -> String {
    match token {
        Token::Literal(value) => format!("the value {}", value.to_text()),
        Token::Identifier(name) => format!("\"{name}\""),
        Token::Dot => "'.'".to_string(),
        Token::Comma => "','".to_string(),
        Token::Open => "'('".to_string(),
        Token::Close => "')'".to_string(),
        Token::OpenBracket => "'['".to_string(),
        Token::CloseBracket => "']'".to_string(),
        Token::Not => "'!'".to_string(),
        Token::Operator(op) => format!("'{op}'"),
    }
}

#[cfg(test)]
mod tests {
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
            (
                "hashFiles('**/package-lock.json')",
                "hashfiles() is not simulated",
            ),
            ("success(1)", "success() takes 0 arguments, not 1"),
            ("'open", "never closed"),
            ("a b", "unexpected \"b\""),
        ] {
            let error = evaluate_condition(bad, &context()).unwrap_err();
            assert!(error.contains(message), "{bad}: {error}");
        }
    }
}
