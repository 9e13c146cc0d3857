use serde::{Deserialize, Serialize};

/// The two ways an institution can buy sessions; each has its own per-session price. On the
/// wire and in the database as [`Plan::id`] writes it; read through [`Plan::parse`], so that
/// a server function given an unknown plan answers with its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Plan {
    Annual,
    Quarterly,
}

impl Plan {
    pub const ALL: [Plan; 2] = [Plan::Annual, Plan::Quarterly];

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "annual" => Ok(Plan::Annual),
            "quarterly" => Ok(Plan::Quarterly),
            other => Err(format!(
                "Unknown plan {other:?}: choose \"annual\" or \"quarterly\"."
            )),
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Plan::Annual => "annual",
            Plan::Quarterly => "quarterly",
        }
    }

    /// The plan's name for people: "Annual".
    pub fn name(self) -> &'static str {
        match self {
            Plan::Annual => "Annual",
            Plan::Quarterly => "Quarterly",
        }
    }
}

/// A plan read from storage or from a server function's arguments.
impl TryFrom<String> for Plan {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for plan in Plan::ALL {
            assert_eq!(Plan::parse(plan.id()), Ok(plan));
        }
    }

    #[test]
    fn the_wire_carries_the_ids() {
        for plan in Plan::ALL {
            assert_eq!(serde_json::to_value(plan).unwrap(), plan.id());
            assert_eq!(
                serde_json::from_value::<Plan>(plan.id().into()).unwrap(),
                plan
            );
        }
        let error = serde_json::from_value::<Plan>("monthly".into()).unwrap_err();
        assert!(error.to_string().contains("Unknown plan"), "{error}");
    }

    #[test]
    fn unknown_plan_is_named() {
        let error = Plan::parse("monthly").unwrap_err();
        assert!(error.contains("monthly"));
    }
}
