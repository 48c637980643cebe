//! The algorithms as [`Procedure`]s for the `Database` registry: one shared projection cache
//! per call of [`procedures`] (i.e. per database).

use std::sync::Arc;

use crate::error::Result;
use crate::procedures::{Procedure, ProcedureContext, ProcedureSignature};
use crate::value::Value;

use super::procs::{AlgoProcedure, Kind};
use super::projection::ProjectionCache;

/// Every `algo.*` and `kg.*` procedure, sharing one projection cache. `Database::open*`
/// registers these once per database.
pub fn procedures() -> Vec<Arc<dyn Procedure>> {
    let cache = Arc::new(ProjectionCache::new());
    Kind::ALL
        .iter()
        .map(|&kind| {
            let spec = kind.spec();
            let signature = ProcedureSignature {
                name: spec.name.to_string(),
                inputs: spec
                    .inputs
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.to_string()))
                    .collect(),
                outputs: spec
                    .outputs
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.to_string()))
                    .collect(),
                description: spec.description.to_string(),
            };
            Arc::new(Registered {
                signature,
                inner: AlgoProcedure {
                    kind,
                    cache: cache.clone(),
                },
            }) as Arc<dyn Procedure>
        })
        .collect()
}

struct Registered {
    signature: ProcedureSignature,
    inner: AlgoProcedure,
}

impl Procedure for Registered {
    fn signature(&self) -> &ProcedureSignature {
        &self.signature
    }

    fn call(&self, ctx: &ProcedureContext, args: &[Value]) -> Result<Vec<Vec<Value>>> {
        self.inner
            .run(ctx.graph(), ctx.committed_generation(), args)
    }
}
