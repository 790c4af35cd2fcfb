//! The SCIM filters PingOne documents for `GET /v1/environments`: `name sw "…"`, `id eq "…"`,
//! `organization.id eq "…"` and `license.id eq "…"`, joined with `and`, in parentheses or not.

/// One condition of an environment filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `name sw "prefix"` (case-insensitive, as SCIM compares strings).
    NameStartsWith(String),
    /// `id eq "…"`
    Id(String),
    /// `organization.id eq "…"`
    OrganizationId(String),
    /// `license.id eq "…"`
    LicenseId(String),
}

/// Conditions that must all hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvironmentFilter {
    conditions: Vec<Condition>,
}

/// What an environment looks like to a filter.
pub struct Candidate<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub organization_id: &'a str,
    pub license_id: Option<&'a str>,
}

impl EnvironmentFilter {
    /// Parses `filter`; the error says what is not supported or malformed.
    pub fn parse(filter: &str) -> Result<Self, String> {
        let tokens = tokenize(filter)?;
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
            conditions: Vec::new(),
        };
        parser.expression()?;
        if parser.at != tokens.len() {
            return Err(format!(
                "Unexpected {} in the filter.",
                tokens[parser.at].describe()
            ));
        }
        Ok(Self {
            conditions: parser.conditions,
        })
    }

    /// Whether `candidate` meets every condition.
    pub fn matches(&self, candidate: &Candidate<'_>) -> bool {
        self.conditions.iter().all(|condition| match condition {
            Condition::NameStartsWith(prefix) => candidate
                .name
                .to_lowercase()
                .starts_with(&prefix.to_lowercase()),
            Condition::Id(id) => candidate.id.eq_ignore_ascii_case(id),
            Condition::OrganizationId(id) => candidate.organization_id.eq_ignore_ascii_case(id),
            Condition::LicenseId(id) => candidate
                .license_id
                .is_some_and(|license| license.eq_ignore_ascii_case(id)),
        })
    }

    /// Whether `limit` applies: PingOne honours it alone or with `organization.id` and
    /// `license.id` conditions, and ignores it with the others.
    pub fn honours_limit(&self) -> bool {
        self.conditions.iter().all(|condition| {
            matches!(
                condition,
                Condition::OrganizationId(_) | Condition::LicenseId(_)
            )
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Word(String),
    Text(String),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Self::Open => "`(`".to_owned(),
            Self::Close => "`)`".to_owned(),
            Self::Word(word) => format!("`{word}`"),
            Self::Text(text) => format!("\"{text}\""),
        }
    }
}

fn tokenize(filter: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => {
                chars.next();
                tokens.push(if c == '(' { Token::Open } else { Token::Close });
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(escaped) => text.push(escaped),
                            None => return Err("The filter ends inside a string.".to_owned()),
                        },
                        Some(c) => text.push(c),
                        None => return Err("The filter ends inside a string.".to_owned()),
                    }
                }
                tokens.push(Token::Text(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    conditions: Vec<Condition>,
}

impl Parser<'_> {
    /// term (`and` term)*
    fn expression(&mut self) -> Result<(), String> {
        self.term()?;
        while let Some(Token::Word(word)) = self.tokens.get(self.at) {
            if !word.eq_ignore_ascii_case("and") {
                return Err(format!(
                    "Unsupported operator `{word}`: conditions can only be joined with `and`."
                ));
            }
            self.at += 1;
            self.term()?;
        }
        Ok(())
    }

    /// `(` expression `)` | attribute operator "value"
    fn term(&mut self) -> Result<(), String> {
        match self.tokens.get(self.at) {
            Some(Token::Open) => {
                self.at += 1;
                self.expression()?;
                match self.tokens.get(self.at) {
                    Some(Token::Close) => {
                        self.at += 1;
                        Ok(())
                    }
                    _ => Err("A `(` in the filter is not closed.".to_owned()),
                }
            }
            Some(Token::Word(attribute)) => {
                let (attribute, operator, value) = match &self.tokens[self.at..] {
                    [_, Token::Word(operator), Token::Text(value), ..] => {
                        (attribute, operator, value)
                    }
                    _ => {
                        return Err(format!(
                            "Expected `{attribute} <operator> \"<value>\"` in the filter."
                        ));
                    }
                };
                let condition = match (
                    attribute.to_ascii_lowercase().as_str(),
                    operator.to_ascii_lowercase().as_str(),
                ) {
                    ("name", "sw") => Condition::NameStartsWith(value.clone()),
                    ("id", "eq") => Condition::Id(value.clone()),
                    ("organization.id", "eq") => Condition::OrganizationId(value.clone()),
                    ("license.id", "eq") => Condition::LicenseId(value.clone()),
                    ("name" | "id" | "organization.id" | "license.id", _) => {
                        return Err(format!(
                            "Unsupported operator `{operator}` for `{attribute}`: environments \
                             support `name sw`, `id eq`, `organization.id eq` and `license.id eq`."
                        ));
                    }
                    _ => {
                        return Err(format!(
                            "Unsupported filter attribute `{attribute}`: environments support \
                             `name sw`, `id eq`, `organization.id eq` and `license.id eq`."
                        ));
                    }
                };
                self.conditions.push(condition);
                self.at += 3;
                Ok(())
            }
            Some(token) => Err(format!("Unexpected {} in the filter.", token.describe())),
            None => Err("The filter is empty or ends too soon.".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate<'a>(name: &'a str, license: Option<&'a str>) -> Candidate<'a> {
        Candidate {
            id: "5e81bba1-5185-457c-926a-aae0e8939109",
            name,
            organization_id: "00000000-0000-4000-8000-000000000000",
            license_id: license,
        }
    }

    #[test]
    fn the_documented_filters_parse_and_match() {
        for (filter, name, license, matches) in [
            (r#"name sw "TEST-""#, "test-env", None, true),
            (r#"name SW "Prod""#, "Staging", None, false),
            (
                r#"id eq "5E81BBA1-5185-457C-926A-AAE0E8939109""#,
                "x",
                None,
                true,
            ),
            (
                r#"(name sw "TEST-") and (license.id eq "L1")"#,
                "TEST-1",
                Some("L1"),
                true,
            ),
            (
                r#"name sw "TEST-" AND license.id eq "L1""#,
                "TEST-1",
                Some("L2"),
                false,
            ),
            (
                r#"organization.id eq "00000000-0000-4000-8000-000000000000""#,
                "x",
                None,
                true,
            ),
            (r#"name sw "say \"hi\"""#, r#"say "hi" there"#, None, true),
        ] {
            let parsed =
                EnvironmentFilter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
            assert_eq!(
                parsed.matches(&candidate(name, license)),
                matches,
                "{filter}"
            );
        }
    }

    #[test]
    fn limit_is_honoured_only_alone_or_with_organization_and_license_ids() {
        let honours = |filter: &str| EnvironmentFilter::parse(filter).unwrap().honours_limit();
        assert!(honours(r#"license.id eq "a" and organization.id eq "b""#));
        assert!(!honours(r#"name sw "a""#));
        assert!(!honours(r#"license.id eq "a" and id eq "b""#));
        assert!(EnvironmentFilter::default().honours_limit());
    }

    #[test]
    fn unsupported_or_malformed_filters_say_why() {
        for (filter, says) in [
            (r#"name eq "x""#, "Unsupported operator `eq` for `name`"),
            (r#"region eq "EU""#, "Unsupported filter attribute `region`"),
            (r#"name sw "a" or id eq "b""#, "only be joined with `and`"),
            (r#"name sw "a"#, "ends inside a string"),
            (r#"(name sw "a""#, "not closed"),
            ("name sw", "Expected `name <operator>"),
            ("name sw \"a\" and", "ends too soon"),
            (" ", "empty"),
            (r#"name sw "a")"#, "Unexpected `)`"),
        ] {
            let error = EnvironmentFilter::parse(filter).unwrap_err();
            assert!(error.contains(says), "{filter}: {error}");
        }
    }
}
