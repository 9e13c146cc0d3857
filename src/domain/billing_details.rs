//! An institution's billing details, as its invoices must carry them for an accounts-payable
//! office to accept them: legal name, billing email addresses, postal address and tax IDs.
//! Checked here (the same rules on the page and in the API), each problem naming its field.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::email::EmailAddress;

/// At most this many billing email addresses.
pub const MAX_EMAILS: usize = 5;
/// At most this many tax IDs (Stripe allows more; an institution has one or two).
pub const MAX_TAX_IDS: usize = 5;

/// The tax ID types the billing page offers, with their names: the ones universities and
/// bootcamps in our markets have (the API takes any of Stripe's types).
pub const TAX_ID_TYPES: [(&str, &str); 12] = [
    ("eu_vat", "EU VAT number"),
    ("gb_vat", "UK VAT number"),
    ("us_ein", "US EIN"),
    ("ca_bn", "Canadian business number"),
    ("ca_gst_hst", "Canadian GST/HST number"),
    ("au_abn", "Australian business number"),
    ("nz_gst", "New Zealand GST number"),
    ("ch_vat", "Swiss VAT number"),
    ("no_vat", "Norwegian VAT number"),
    ("in_gst", "Indian GST number"),
    ("sg_gst", "Singapore GST number"),
    ("jp_cn", "Japanese corporate number"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDetails {
    pub legal_name: String,
    pub emails: Vec<String>,
    pub address: Address,
    pub tax_ids: Vec<TaxId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub state: Option<String>,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxId {
    /// Stripe's type: `eu_vat`, `gb_vat`, `us_ein`, `ca_bn`, `au_abn`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

impl BillingDetails {
    /// The line every invoice ends with: Stripe prints one email address (the customer's); the
    /// accounts-payable office sees all its billing contacts here.
    pub fn invoice_footer(&self) -> String {
        format!("Billing contacts: {}", self.emails.join(", "))
    }

    /// Validates the body of `PUT /api/institution/billing-details`.
    pub fn from_json(body: &Value) -> Result<Self, String> {
        let object = body.as_object().ok_or(
            "The request body must be a JSON object with \"legal_name\", \"emails\", \"address\" and \"tax_ids\".",
        )?;
        let legal_name = required_text(object.get("legal_name"), "legal_name", 200)?;
        let emails = emails(object.get("emails"))?;
        let address = Address::from_json(object.get("address"))?;
        let tax_ids = tax_ids(object.get("tax_ids"))?;
        Ok(BillingDetails {
            legal_name,
            emails,
            address,
            tax_ids,
        })
    }
}

impl Address {
    fn from_json(value: Option<&Value>) -> Result<Self, String> {
        let Some(Value::Object(fields)) = value else {
            return Err(
                "\"address\" is required: an object with line1, city, postal_code and country."
                    .into(),
            );
        };
        let country = required_text(fields.get("country"), "address.country", 100)?.to_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(
                "\"address.country\" must be a two-letter ISO country code, such as US or DE."
                    .into(),
            );
        }
        Ok(Address {
            line1: required_text(fields.get("line1"), "address.line1", 200)?,
            line2: optional_text(fields.get("line2"), "address.line2", 200)?,
            city: required_text(fields.get("city"), "address.city", 100)?,
            state: optional_text(fields.get("state"), "address.state", 100)?,
            postal_code: required_text(fields.get("postal_code"), "address.postal_code", 20)?,
            country,
        })
    }
}

fn emails(value: Option<&Value>) -> Result<Vec<String>, String> {
    let Some(Value::Array(items)) = value else {
        return Err("\"emails\" is required: a list of one or more email addresses.".into());
    };
    if items.is_empty() || items.len() > MAX_EMAILS {
        return Err(format!(
            "\"emails\" must hold 1 to {MAX_EMAILS} email addresses."
        ));
    }
    let mut emails = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let email = item
            .as_str()
            .and_then(|text| EmailAddress::parse(text).ok())
            .ok_or_else(|| {
                format!("\"emails[{i}]\" must be an email address, like ap@university.edu.")
            })?;
        if !emails.contains(&email.as_str().to_owned()) {
            emails.push(email.as_str().to_owned());
        }
    }
    Ok(emails)
}

fn tax_ids(value: Option<&Value>) -> Result<Vec<TaxId>, String> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err("\"tax_ids\" must be a list of {\"type\", \"value\"}.".into()),
    };
    if items.len() > MAX_TAX_IDS {
        return Err(format!(
            "\"tax_ids\" may hold at most {MAX_TAX_IDS} tax IDs."
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let kind = required_text(item.get("type"), &format!("tax_ids[{i}].type"), 20)?;
            let value = required_text(item.get("value"), &format!("tax_ids[{i}].value"), 40)?;
            TaxId::parse(&kind, &value)
                .map_err(|problem| format!("\"tax_ids[{i}].value\" {problem}"))
        })
        .collect()
}

impl TaxId {
    /// Checks the format of the common types; other Stripe types go to Stripe as given (it
    /// checks them). Spaces, dots and dashes people type are dropped where the type has none.
    pub fn parse(kind: &str, value: &str) -> Result<Self, String> {
        let compact: String = value
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect::<String>()
            .to_uppercase();
        let digits = |n: usize, s: &str| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let (valid, expected, value) = match kind {
            "eu_vat" => {
                let (country, rest) = compact.split_at(compact.len().min(2));
                let valid = country.bytes().all(|b| b.is_ascii_uppercase())
                    && country.len() == 2
                    && (2..=13).contains(&rest.len())
                    && rest.bytes().all(|b| b.is_ascii_alphanumeric());
                (
                    valid,
                    "a country code and 2 to 13 letters or digits, such as DE123456789",
                    compact,
                )
            }
            "gb_vat" => {
                let rest = compact.strip_prefix("GB").unwrap_or("");
                let valid = digits(9, rest) || digits(12, rest);
                (valid, "GB and 9 or 12 digits, such as GB123456789", compact)
            }
            "us_ein" => {
                let plain: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                let valid = plain.len() == 10
                    && plain.as_bytes()[2] == b'-'
                    && digits(2, &plain[..2])
                    && digits(7, &plain[3..]);
                (
                    valid,
                    "two digits, a dash and seven digits, such as 12-3456789",
                    plain,
                )
            }
            "ca_bn" => (digits(9, &compact), "9 digits, such as 123456789", compact),
            "au_abn" => (
                digits(11, &compact),
                "11 digits, such as 12345678912",
                compact,
            ),
            other if is_stripe_type_name(other) => (true, "", value.trim().to_owned()),
            other => {
                return Err(format!(
                    "has an unknown type {}: use Stripe's tax ID types, such as eu_vat, gb_vat, us_ein, ca_bn or au_abn.",
                    Value::from(other)
                ));
            }
        };
        if valid {
            Ok(TaxId {
                kind: kind.to_owned(),
                value,
            })
        } else {
            Err(format!(
                "is not a valid {kind} number: expected {expected}."
            ))
        }
    }
}

/// `xx_yyy`: how Stripe names its tax ID types (`br_cnpj`, `ch_vat`, `eu_oss_vat`).
fn is_stripe_type_name(kind: &str) -> bool {
    let mut parts = kind.split('_');
    let country = parts.next().unwrap_or_default();
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_lowercase())
        && parts.clone().count() >= 1
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

fn required_text(value: Option<&Value>, field: &str, max: usize) -> Result<String, String> {
    optional_text(value, field, max)?.ok_or_else(|| format!("\"{field}\" is required."))
}

fn optional_text(value: Option<&Value>, field: &str, max: usize) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            let text = text.trim();
            if text.chars().count() > max {
                Err(format!("\"{field}\" must be at most {max} characters."))
            } else if text.chars().any(char::is_control) {
                Err(format!("\"{field}\" must be one line of text."))
            } else {
                Ok(Some(text.to_owned()).filter(|t| !t.is_empty()))
            }
        }
        Some(other) => Err(format!("\"{field}\" must be text, got {other}.")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn valid() -> Value {
        json!({
            "legal_name": "State University Board of Regents",
            "emails": ["AP@State.edu", "bursar@state.edu", "ap@state.edu"],
            "address": {"line1": "1 College Ave", "line2": "", "city": "Springfield",
                        "state": "IL", "postal_code": "62701", "country": "us"},
            "tax_ids": [{"type": "us_ein", "value": "12-3456789"}, {"type": "eu_vat", "value": "de 123 456 789"}]
        })
    }

    fn problem(change: impl FnOnce(&mut Value)) -> String {
        let mut body = valid();
        change(&mut body);
        BillingDetails::from_json(&body).unwrap_err()
    }

    #[test]
    fn valid_details_are_normalised() {
        let details = BillingDetails::from_json(&valid()).unwrap();
        assert_eq!(details.emails, ["ap@state.edu", "bursar@state.edu"]);
        assert_eq!(details.address.country, "US");
        assert_eq!(details.address.line2, None);
        assert_eq!(details.tax_ids[1].value, "DE123456789");
    }

    #[test]
    fn each_problem_names_its_field() {
        assert!(problem(|b| b["legal_name"] = json!("  ")).contains("\"legal_name\" is required"));
        assert!(problem(|b| b["emails"] = json!([])).contains("\"emails\" must hold 1 to 5"));
        assert!(problem(|b| b["emails"][1] = json!("bursar")).contains("\"emails[1]\""));
        assert!(
            problem(|b| b["address"]["country"] = json!("USA"))
                .contains("\"address.country\" must be a two-letter ISO country code")
        );
        assert!(problem(|b| b["address"]["country"] = json!("1A")).contains("\"address.country\""));
        assert!(
            problem(|b| b["address"]["city"] = Value::Null)
                .contains("\"address.city\" is required")
        );
        assert!(
            problem(|b| b["address"] = json!("1 College Ave")).contains("\"address\" is required")
        );
        assert!(
            problem(|b| b["address"]["line1"] = json!("x".repeat(201))).contains("at most 200")
        );
        assert!(
            problem(|b| b["tax_ids"][0]["value"] = json!("123456789"))
                .contains("\"tax_ids[0].value\" is not a valid us_ein")
        );
        assert!(problem(|b| b["tax_ids"][1]["type"] = json!("vat")).contains("unknown type"));
    }

    #[test]
    fn common_tax_id_types_are_checked_by_format_with_the_expected_shape_named() {
        let ok = |kind, value| TaxId::parse(kind, value).map(|t| t.value);
        assert_eq!(ok("gb_vat", "GB 123 4567 89"), Ok("GB123456789".into()));
        assert_eq!(ok("ca_bn", "123456789"), Ok("123456789".into()));
        assert_eq!(ok("au_abn", "12 345 678 912"), Ok("12345678912".into()));
        assert_eq!(ok("us_ein", "12-3456789"), Ok("12-3456789".into()));
        assert_eq!(
            ok("ch_vat", " CHE-123.456.789 MWST "),
            Ok("CHE-123.456.789 MWST".into())
        );
        assert!(ok("gb_vat", "GB12345").unwrap_err().contains("GB123456789"));
        assert!(
            ok("eu_vat", "123456789")
                .unwrap_err()
                .contains("DE123456789")
        );
        assert!(ok("ca_bn", "12345678A").unwrap_err().contains("9 digits"));
        assert!(
            ok("au_abn", "1234567891")
                .unwrap_err()
                .contains("11 digits")
        );
        assert!(
            ok("us_ein", "123456789")
                .unwrap_err()
                .contains("12-3456789")
        );
    }
}
