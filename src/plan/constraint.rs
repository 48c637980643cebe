//! `CREATE CONSTRAINT` as written into the constraint the store keeps: Neo4j 5's rules on
//! which kinds take several properties and which types a type constraint may name.

use crate::ast::{BaseType, ConstraintRequirement, ConstraintSpec, CypherType};
use crate::error::{QueryError, Result};
use crate::store::{ConstraintDef, ConstraintKind, PropertyType, ScalarType};

/// The store's constraint for `spec` (its id is given when it is created).
pub(crate) fn constraint_def(spec: &ConstraintSpec) -> Result<ConstraintDef> {
    let entity = if spec.on_relationships {
        "relationship"
    } else {
        "node"
    };
    let (kind, what, suffix) = match &spec.requirement {
        ConstraintRequirement::Unique => (ConstraintKind::Unique, "uniqueness", "unique"),
        ConstraintRequirement::Key => (ConstraintKind::Key, "key", "key"),
        ConstraintRequirement::NotNull => (ConstraintKind::Exists, "IS NOT NULL", "exists"),
        ConstraintRequirement::Typed(t) => (
            ConstraintKind::Type(property_type(t, entity).map_err(|e| e.at(spec.span))?),
            "IS ::",
            "type",
        ),
    };
    if spec.properties.len() > 1 && matches!(kind, ConstraintKind::Exists | ConstraintKind::Type(_))
    {
        return Err(QueryError::syntax(
            "InvalidConstraintDefinition",
            format!("Constraint type '{what}' does not allow multiple properties"),
        )
        .at(spec.span)
        .into());
    }
    if let Some(p) = spec
        .properties
        .iter()
        .enumerate()
        .find(|(i, p)| spec.properties[..*i].contains(p))
        .map(|(_, p)| p)
    {
        return Err(QueryError::syntax(
            "InvalidConstraintDefinition",
            format!("Invalid constraint: property `{p}` is named twice"),
        )
        .at(spec.span)
        .into());
    }
    let name = spec.name.clone().unwrap_or_else(|| {
        format!(
            "constraint_{}_{}_{suffix}",
            spec.label,
            spec.properties.join("_")
        )
    });
    Ok(ConstraintDef {
        id: 0,
        name,
        kind,
        on_relationships: spec.on_relationships,
        label: spec.label.clone(),
        properties: spec.properties.clone(),
        owned_index: None,
    })
}

/// A type predicate's type as a property type; Neo4j 5 allows the property types, lists of
/// non-null property types, and closed unions of them, all nullable.
fn property_type(t: &CypherType, entity: &str) -> Result<PropertyType, QueryError> {
    let invalid = || {
        QueryError::syntax(
            "InvalidPropertyType",
            format!(
                "Failed to create {entity} property type constraint: Invalid property type `{}`.",
                type_text(t)
            ),
        )
    };
    let mut alts = Vec::new();
    for alt in &t.alts {
        if alt.not_null {
            return Err(invalid());
        }
        match &alt.base {
            BaseType::List(inner) => match inner.alts.as_slice() {
                [e] if e.not_null => alts.push((scalar(&e.base).ok_or_else(invalid)?, true)),
                _ => return Err(invalid()),
            },
            b => alts.push((scalar(b).ok_or_else(invalid)?, false)),
        }
    }
    Ok(PropertyType::normalized(alts))
}

fn scalar(b: &BaseType) -> Option<ScalarType> {
    Some(match b {
        BaseType::Bool => ScalarType::Boolean,
        BaseType::String => ScalarType::String,
        BaseType::Int => ScalarType::Integer,
        BaseType::Float => ScalarType::Float,
        BaseType::Date => ScalarType::Date,
        BaseType::LocalTime => ScalarType::LocalTime,
        BaseType::ZonedTime => ScalarType::ZonedTime,
        BaseType::LocalDateTime => ScalarType::LocalDateTime,
        BaseType::ZonedDateTime => ScalarType::ZonedDateTime,
        BaseType::Duration => ScalarType::Duration,
        BaseType::Point => ScalarType::Point,
        _ => return None,
    })
}

/// A type as the user wrote it, near enough for the error message.
fn type_text(t: &CypherType) -> String {
    let alts: Vec<String> = t
        .alts
        .iter()
        .map(|a| {
            let base = match &a.base {
                BaseType::List(inner) => format!("LIST<{}>", type_text(inner)),
                BaseType::PropertyValue => "PROPERTY VALUE".into(),
                b => scalar(b).map_or_else(|| format!("{b:?}").to_uppercase(), |s| s.name().into()),
            };
            if a.not_null {
                format!("{base} NOT NULL")
            } else {
                base
            }
        })
        .collect();
    alts.join(" | ")
}
