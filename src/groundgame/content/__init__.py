"""Scripts, literature and talking points: versions, delegated approval with a time limit,
and the approval queue."""
