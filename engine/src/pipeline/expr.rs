//! GitHub Actions expressions, as `if:` conditions and `${{ }}` templates use them: literals,
//! context properties (`github.ref`, `inputs.environment`, `needs.build.result`), the status
//! functions, `contains`, `startsWith`, `endsWith`, `format`, `join`, `toJSON`, `fromJSON` and
//! `hashFiles`, property access and indexing on arrays and objects, and the operators
//! `! < <= > >= == != && ||` with GitHub's loose equality (strings compare ignoring case,
//! mixed types compare as numbers, arrays and objects equal only themselves) and truthiness
//! (`false`, `0`, `''` and `null` are false).

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
    /// An array (from `fromJSON` or an object filter).
    Array(Vec<Value>),
    /// An object (from `fromJSON`).
    Object(BTreeMap<String, Value>),
}

impl Value {
    /// GitHub's truthiness.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
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
            Value::Array(_) => "Array".to_string(),
            Value::Object(_) => "Object".to_string(),
        }
    }

    /// `toJSON`: two-space indented JSON, as GitHub writes it.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_serde()).unwrap_or_default()
    }

    fn to_serde(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                serde_json::Value::from(*n as i64)
            }
            Value::Number(n) => serde_json::Number::from_f64(*n)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_serde).collect())
            }
            Value::Object(fields) => {
                let mut object = serde_json::Map::new();
                object.extend(fields.iter().map(|(k, v)| (k.clone(), v.to_serde())));
                serde_json::Value::Object(object)
            }
        }
    }

    fn from_serde(value: &serde_json::Value) -> Value {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::Array(items.iter().map(Value::from_serde).collect())
            }
            serde_json::Value::Object(fields) => {
                let mut object = BTreeMap::new();
                object.extend(
                    fields
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::from_serde(v))),
                );
                Value::Object(object)
            }
        }
    }

    /// Property `name` of an object (ignoring case, as contexts do), else `null`.
    fn member(&self, name: &str) -> Value {
        match self {
            Value::Object(fields) => fields
                .get(name)
                .or_else(|| {
                    fields
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v)
                })
                .cloned()
                .unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// `value[index]`: an array element by number or an object property by name.
    fn index(&self, index: &Value) -> Value {
        match (self, index) {
            (Value::Array(items), Value::Number(n)) if *n >= 0.0 => {
                items.get(*n as usize).cloned().unwrap_or(Value::Null)
            }
            (Value::Object(_), Value::String(name)) => self.member(name),
            _ => Value::Null,
        }
    }

    fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) if s.trim().is_empty() => 0.0,
            Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
            Value::Array(_) | Value::Object(_) => f64::NAN,
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
    /// `expression.name`, `expression[index]` or `expression.*` after a call or a group.
    Member(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Filter(Box<Expr>),
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
                self.postfix(inner)
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
                self.postfix(Expr::Call(name.to_ascii_lowercase(), arguments))
            }
            Some(Token::Identifier(name)) => self.postfix(Expr::Property(vec![name])),
            other => Err(format!(
                "\"{}\": expected a value, found {}",
                self.source,
                other.as_ref().map_or("the end".to_string(), describe)
            )),
        }
    }

    /// `.name`, `.*` and `[index]` after a value. On a context property, names (and quoted
    /// names in brackets) extend its dotted path, as the contexts are kept flat.
    fn postfix(&mut self, mut expr: Expr) -> Result<Expr, String> {
        loop {
            match self.peek() {
                Some(Token::Dot) => {
                    self.next();
                    expr = match (self.next(), expr) {
                        (Some(Token::Identifier(name)), Expr::Property(mut path)) => {
                            path.push(name);
                            Expr::Property(path)
                        }
                        (Some(Token::Identifier(name)), inner) => {
                            Expr::Member(Box::new(inner), name)
                        }
                        (Some(Token::Operator("*")), inner) => Expr::Filter(Box::new(inner)),
                        (other, _) => {
                            return Err(format!(
                                "\"{}\": a property name must follow '.', not {}",
                                self.source,
                                other.as_ref().map_or("the end".to_string(), describe)
                            ));
                        }
                    };
                }
                Some(Token::OpenBracket) => {
                    self.next();
                    let index = self.or()?;
                    self.expect(Token::CloseBracket, "']'")?;
                    expr = match (expr, index) {
                        (Expr::Property(mut path), Expr::Literal(Value::String(name))) => {
                            path.push(name);
                            Expr::Property(path)
                        }
                        (inner, index) => Expr::Index(Box::new(inner), Box::new(index)),
                    };
                }
                _ => return Ok(expr),
            }
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
            Expr::Member(inner, _) | Expr::Filter(inner) => inner.uses_status_function(),
            Expr::Index(inner, index) => {
                inner.uses_status_function() || index.uses_status_function()
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
            Expr::Member(inner, name) => match (inner.as_ref(), inner.evaluate(context)?) {
                // An object filter's result reads the property of each element.
                (Expr::Filter(_), Value::Array(items)) => {
                    Value::Array(items.iter().map(|item| item.member(name)).collect())
                }
                (_, value) => value.member(name),
            },
            Expr::Index(inner, index) => inner.evaluate(context)?.index(&index.evaluate(context)?),
            Expr::Filter(inner) => match inner.evaluate(context)? {
                Value::Array(items) => Value::Array(items),
                Value::Object(fields) => Value::Array(fields.into_values().collect()),
                _ => Value::Array(Vec::new()),
            },
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
            match &values[0] {
                Value::Array(items) => {
                    Value::Bool(items.iter().any(|item| compare("==", item, &values[1])))
                }
                _ => Value::Bool(text(0).contains(&text(1))),
            }
        }
        "join" => {
            if values.is_empty() || values.len() > 2 {
                return Err(format!(
                    "join() takes 1 or 2 arguments, not {}",
                    values.len()
                ));
            }
            let separator = values.get(1).map_or(",".to_string(), Value::to_text);
            match &values[0] {
                Value::Array(items) => Value::String(
                    items
                        .iter()
                        .map(Value::to_text)
                        .collect::<Vec<_>>()
                        .join(&separator),
                ),
                other => Value::String(other.to_text()),
            }
        }
        "tojson" => {
            arity(1)?;
            Value::String(values[0].to_json())
        }
        "fromjson" => {
            arity(1)?;
            let source = values[0].to_text();
            let parsed: serde_json::Value = serde_json::from_str(&source)
                .map_err(|e| format!("fromJSON('{source}'): not JSON: {e}"))?;
            Value::from_serde(&parsed)
        }
        // The simulated repository has no files, and hashFiles of no files is ''.
        "hashfiles" => {
            if values.is_empty() {
                return Err("hashFiles() takes at least 1 argument".to_string());
            }
            Value::String(String::new())
        }
        "startswith" => {
            arity(2)?;
            Value::Bool(text(0).starts_with(&text(1)))
        }
        "endswith" => {
            arity(2)?;
            Value::Bool(text(0).ends_with(&text(1)))
        }
        "format" => Value::String(format_string(values)?),
        other => {
            return Err(format!(
                "{other}() is not a GitHub Actions function (they are success, failure, always, cancelled, contains, startsWith, endsWith, format, join, toJSON, fromJSON and hashFiles)"
            ));
        }
    })
}

/// `format('{0} and {{literal}}', a)`: `{N}` is argument N, `{{` and `}}` are braces.
fn format_string(values: &[Value]) -> Result<String, String> {
    let Some(template) = values.first().map(Value::to_text) else {
        return Err("format() takes at least 1 argument".to_string());
    };
    let arguments = &values[1..];
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('{', Some('{')) | ('}', Some('}')) => {
                out.push(chars[i]);
                i += 2;
            }
            ('{', _) => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '}')
                    .ok_or_else(|| format!("format('{template}'): a '{{' is never closed"))?;
                let digits: String = chars[i + 1..i + 1 + close].iter().collect();
                let index: u32 = digits.parse().map_err(|_| {
                    format!("format('{template}'): '{{{digits}}}' is not an argument number")
                })?;
                let value = arguments.get(index as usize).ok_or_else(|| {
                    format!(
                        "format('{template}'): it references argument {index} but only {} were supplied",
                        arguments.len()
                    )
                })?;
                out.push_str(&value.to_text());
                i += close + 2;
            }
            ('}', _) => {
                return Err(format!(
                    "format('{template}'): a '}}' must be doubled ('}}}}') outside a reference"
                ));
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// GitHub's comparison: strings ignoring case, otherwise as numbers (NaN compares false).
fn compare(op: &str, left: &Value, right: &Value) -> bool {
    let ordering = match (left, right) {
        (Value::String(a), Value::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Value::Null, Value::Null) => Some(std::cmp::Ordering::Equal),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        // Arrays and objects are equal only to themselves, and one is never the same as a copy.
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => None,
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
                // Digits, a fraction, hex digits, and an exponent with its sign (2.99e-2).
                while chars.get(index).is_some_and(|ch| {
                    ch.is_ascii_alphanumeric()
                        || *ch == '.'
                        || (matches!(ch, '-' | '+')
                            && matches!(chars.get(index - 1), Some('e' | 'E'))
                            && !chars[start..index].starts_with(&['0', 'x']))
                }) {
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
mod tests;
