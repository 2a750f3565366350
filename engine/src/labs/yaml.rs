//! A YAML document as a tree whose every node knows its line and column, so a lab file's
//! problems can be reported as `file:line:column: what is wrong`. Built from yaml-rust2's marked
//! parser events; scalars stay text until the reader knows what type a field wants.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A node of the document, at 1-based `line` and `column`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// The line it starts on, from 1.
    pub line: u32,
    /// The column it starts at, from 1.
    pub column: u32,
}

/// A node's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// A scalar, as written (quotes removed).
    Text(String),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in the file's order: each key node with its value node.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The node's text, if it is a scalar.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// What kind of node this is, in words for a message.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Text(_) => "a value",
            Value::List(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// A problem with the YAML itself, at its line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// Parses the first document of `text` into a tree of positioned nodes.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|error| {
        let (line, column) = position(error.marker());
        SyntaxError {
            line,
            column,
            message: error.info().to_string(),
        }
    })?;
    Ok(builder.root.unwrap_or(Node {
        value: Value::Null,
        line: 1,
        column: 1,
    }))
}

/// yaml-rust2's markers count lines from 1 and columns from 0.
fn position(marker: &Marker) -> (u32, u32) {
    (marker.line() as u32, marker.col() as u32 + 1)
}

/// Builds the tree from the parser's events: open collections on a stack, and a mapping's
/// pending key until its value arrives.
#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    root: Option<Node>,
}

struct Open {
    node: Node,
    pending_key: Option<Node>,
}

impl Builder {
    fn add(&mut self, node: Node) {
        let Some(open) = self.stack.last_mut() else {
            self.root.get_or_insert(node);
            return;
        };
        match &mut open.node.value {
            Value::List(items) => items.push(node),
            Value::Map(entries) => match open.pending_key.take() {
                Some(key) => entries.push((key, node)),
                None => open.pending_key = Some(node),
            },
            Value::Null | Value::Text(_) => {}
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, marker: Marker) {
        let (line, column) = position(&marker);
        let node = |value| Node {
            value,
            line,
            column,
        };
        match event {
            Event::Scalar(text, style, _, _) => {
                let plain = style == yaml_rust2::scanner::TScalarStyle::Plain;
                let value = if plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
                {
                    Value::Null
                } else {
                    Value::Text(text)
                };
                self.add(node(value));
            }
            Event::SequenceStart(..) => self.stack.push(Open {
                node: node(Value::List(Vec::new())),
                pending_key: None,
            }),
            Event::MappingStart(..) => self.stack.push(Open {
                node: node(Value::Map(Vec::new())),
                pending_key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(mut open) = self.stack.pop() {
                    // A block mapping's start mark is its first colon; a reader looks for its
                    // first key.
                    if let Value::Map(entries) = &open.node.value
                        && let Some((key, _)) = entries.first()
                    {
                        (open.node.line, open.node.column) = (key.line, key.column);
                    }
                    self.add(open.node);
                }
            }
            // Aliases are not part of the lab format; an alias reads as nothing.
            Event::Alias(_) => self.add(node(Value::Null)),
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_line_and_column() {
        let tree = parse("id: zero\nlist:\n  - a\n  - b: 1\n").unwrap();
        let Value::Map(entries) = &tree.value else {
            panic!("a mapping: {tree:?}")
        };
        assert_eq!(entries[0].0.text(), Some("id"));
        assert_eq!((entries[0].1.line, entries[0].1.column), (1, 5));
        let Value::List(items) = &entries[1].1.value else {
            panic!("a list")
        };
        assert_eq!((items[0].line, items[0].column), (3, 5));
        assert_eq!((items[1].line, items[1].column), (4, 5));
    }

    #[test]
    fn a_syntax_error_says_where() {
        let error = parse("id: [unclosed\n").unwrap_err();
        assert_eq!(error.line, 2, "{error:?}");
        assert!(!error.message.is_empty());
    }

    #[test]
    fn quoted_null_is_text() {
        let tree = parse("a: ~\nb: \"~\"\n").unwrap();
        let Value::Map(entries) = &tree.value else {
            panic!()
        };
        assert_eq!(entries[0].1.value, Value::Null);
        assert_eq!(entries[1].1.text(), Some("~"));
    }
}
