//! Building the dependency graph and ordering it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use serde::{Deserialize, Serialize};

use crate::descriptor::DataModel;
use crate::model::fields as f;
use crate::{Error, Result};

/// A reference field left empty on create and patched after all phases.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeferredField {
    /// Object holding the field.
    pub object: String,
    /// The field.
    pub field: String,
}

/// One phase: load all records of one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    /// The object.
    pub object: String,
    /// Reference fields of this object that are deferred to the patch step.
    pub deferred: Vec<String>,
}

/// The load order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Phases in load order.
    pub phases: Vec<Phase>,
}

impl Plan {
    /// Object names in load order.
    pub fn order(&self) -> Vec<&str> {
        self.phases.iter().map(|p| p.object.as_str()).collect()
    }

    /// The phase of `object`.
    pub fn phase(&self, object: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.object == object)
    }

    /// All deferred fields.
    pub fn deferred(&self) -> Vec<DeferredField> {
        self.phases
            .iter()
            .flat_map(|p| {
                p.deferred.iter().map(|d| DeferredField {
                    object: p.object.clone(),
                    field: d.clone(),
                })
            })
            .collect()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, fmt: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.phases.iter().enumerate() {
            write!(fmt, "{:>2}. {}", i + 1, p.object)?;
            if !p.deferred.is_empty() {
                write!(
                    fmt,
                    " (without {}; patched afterwards)",
                    p.deferred.join(", ")
                )?;
            }
            writeln!(fmt)?;
        }
        let d = self.deferred();
        if !d.is_empty() {
            let names: Vec<String> = d
                .iter()
                .map(|d| format!("{}.{}", d.object, d.field))
                .collect();
            writeln!(
                fmt,
                "{:>2}. patch {}",
                self.phases.len() + 1,
                names.join(", ")
            )?;
        }
        Ok(())
    }
}

fn rank(object: &str) -> usize {
    [
        f::USER,
        f::COMPANY,
        f::PERSON,
        f::OPPORTUNITY,
        f::TASK,
        f::NOTE,
    ]
    .iter()
    .position(|o| *o == object)
    .unwrap_or(usize::MAX)
}

struct Edge {
    field: String,
    optional: bool,
}

/// Plans the load of `objects` (all of the model's objects when empty) from `model`.
///
/// References to objects outside the set are ignored (nothing of theirs is loaded, so
/// nothing waits for them).
pub fn plan(model: &DataModel, objects: &[&str]) -> Result<Plan> {
    let selected: BTreeSet<&str> = if objects.is_empty() {
        model.objects.iter().map(|o| o.name.as_str()).collect()
    } else {
        for o in objects {
            model.require(o)?;
        }
        objects.iter().copied().collect()
    };

    let mut g: DiGraph<&str, Edge> = DiGraph::new();
    let mut idx: BTreeMap<&str, NodeIndex> = BTreeMap::new();
    for o in &selected {
        idx.insert(o, g.add_node(o));
    }
    for o in &selected {
        let desc = model.require(o)?;
        for field in desc.references() {
            let Some(r) = &field.reference else { continue };
            for target in &r.objects {
                if let Some(&from) = idx.get(target.as_str()) {
                    g.add_edge(
                        from,
                        idx[o],
                        Edge {
                            field: field.name.clone(),
                            optional: r.optional,
                        },
                    );
                }
            }
        }
    }

    let mut deferred: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    while let Some(cycle) = find_cycle(&g) {
        // Break the cycle at its optional edge that sorts first (deterministic).
        let mut candidates: Vec<EdgeIndex> = g
            .edge_indices()
            .filter(|e| {
                let (a, b) = g.edge_endpoints(*e).expect("edge exists");
                cycle.contains(&a) && cycle.contains(&b) && g[*e].optional
            })
            .collect();
        candidates.sort_by_key(|e| {
            let (_, b) = g.edge_endpoints(*e).expect("edge exists");
            (std::cmp::Reverse(rank(g[b])), g[b], g[*e].field.clone())
        });
        let Some(&e) = candidates.first() else {
            let mut names: Vec<&str> = cycle.iter().map(|n| g[*n]).collect();
            names.sort();
            return Err(Error::config(format!(
                "the objects {} reference each other through required fields only; \
                 no load order exists (make one of the references optional)",
                names.join(" → ")
            )));
        };
        let (_, holder) = g.edge_endpoints(e).expect("edge exists");
        let holder_name = g[holder];
        // Defer every edge of that field (a polymorphic field has several).
        let field = g[e].field.clone();
        let same: Vec<EdgeIndex> = g
            .edge_indices()
            .filter(|x| {
                let (_, b) = g.edge_endpoints(*x).expect("edge exists");
                b == holder && g[*x].field == field
            })
            .collect();
        // Remove in descending index order so indices stay valid.
        let mut same = same;
        same.sort_by(|a, b| b.cmp(a));
        for x in same {
            g.remove_edge(x);
        }
        deferred.entry(holder_name).or_default().insert(field);
    }

    // Kahn's algorithm, choosing the lowest (rank, name) among ready nodes.
    let mut indegree: BTreeMap<NodeIndex, usize> = g
        .node_indices()
        .map(|n| (n, g.neighbors_directed(n, petgraph::Incoming).count()))
        .collect();
    let mut phases = Vec::new();
    while !indegree.is_empty() {
        let next = indegree
            .iter()
            .filter(|(_, d)| **d == 0)
            .map(|(n, _)| *n)
            .min_by_key(|n| (rank(g[*n]), g[*n]))
            .ok_or_else(|| Error::unexpected("dependency graph still cyclic after breaking"))?;
        indegree.remove(&next);
        for m in g.neighbors_directed(next, petgraph::Outgoing) {
            if let Some(d) = indegree.get_mut(&m) {
                *d -= 1;
            }
        }
        let name = g[next];
        phases.push(Phase {
            object: name.to_string(),
            deferred: deferred
                .get(name)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        });
    }
    Ok(Plan { phases })
}

/// A set of nodes forming a cycle (a strongly connected component of more than one node,
/// or a node with an edge to itself), if any.
fn find_cycle(g: &DiGraph<&str, Edge>) -> Option<BTreeSet<NodeIndex>> {
    tarjan_scc(g).into_iter().find_map(|scc| {
        let cyclic = scc.len() > 1 || g.find_edge(scc[0], scc[0]).is_some();
        cyclic.then(|| scc.into_iter().collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::{FieldDescriptor as F, FieldType, ObjectDescriptor as O};

    #[test]
    fn standard_model_loads_owners_companies_people_opportunities_activities() {
        let p = plan(&DataModel::standard(), &[]).unwrap();
        assert_eq!(
            p.order(),
            vec!["user", "company", "person", "opportunity", "task", "note"]
        );
        assert!(p.deferred().is_empty());
    }

    #[test]
    fn only_selected_objects_are_planned() {
        let p = plan(&DataModel::standard(), &["note", "person", "company"]).unwrap();
        assert_eq!(p.order(), vec!["company", "person", "note"]);
    }

    #[test]
    fn optional_cycle_is_broken_and_patched() {
        // company.primary_contact → person (optional), person.company → company (required).
        let m = DataModel::new("t")
            .object(O::new("company").field(F::reference("primary_contact", "person", true)))
            .object(O::new("person").field(F::reference("company", "company", false)))
            .object(O::new("deal").field(F::reference("company", "company", false)));
        let p = plan(&m, &[]).unwrap();
        assert_eq!(p.order(), vec!["company", "person", "deal"]);
        assert_eq!(
            p.phase("company").unwrap().deferred,
            vec!["primary_contact"]
        );
        assert_eq!(
            p.deferred(),
            vec![DeferredField {
                object: "company".into(),
                field: "primary_contact".into()
            }]
        );
        assert!(
            p.to_string().contains("patch company.primary_contact"),
            "{p}"
        );
    }

    #[test]
    fn self_reference_is_deferred() {
        let m = DataModel::new("t").object(
            O::new("company")
                .field(F::new("name", FieldType::Text))
                .field(F::reference("parent", "company", true)),
        );
        let p = plan(&m, &[]).unwrap();
        assert_eq!(p.phase("company").unwrap().deferred, vec!["parent"]);
    }

    #[test]
    fn hard_cycle_is_an_error_naming_its_members() {
        let m = DataModel::new("t")
            .object(O::new("a").field(F::reference("b", "b", false)))
            .object(O::new("b").field(F::reference("c", "c", false)))
            .object(O::new("c").field(F::reference("a", "a", false)))
            .object(O::new("d"));
        let e = plan(&m, &[]).unwrap_err();
        let msg = e.to_string();
        for name in ["a", "b", "c"] {
            assert!(
                msg.contains(&format!("{name} →")) || msg.contains(&format!("→ {name}")),
                "{msg}"
            );
        }
        assert!(msg.contains("a → b → c"), "{msg}");
        assert!(!msg.contains("→ d") && !msg.contains("d →"), "{msg}");
    }

    #[test]
    fn unknown_object_is_an_error() {
        assert!(plan(&DataModel::standard(), &["widget"]).is_err());
    }
}
