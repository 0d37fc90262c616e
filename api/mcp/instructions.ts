/** Returned at initialize: teaches an agent the playbook loop in a few lines. */
export const INSTRUCTIONS = `ACE playbooks: curated, evolving strategy notes for your tasks. Use them in a loop:
1. Before a task, call list_playbooks once to find the right playbook, then get_playbook and keep its text in context.
2. While working, apply the bullets that fit (each has an id like [str-00001]); note the ids you used.
3. After the task, call report_outcome with the playbook_id, a short task_description, an honest outcome (success, failure or partial), the bullets_used ids, and a brief reasoning_trace. Failures are as valuable as successes.
The platform evolves the playbook from these reports; the next get_playbook returns the improved version.
Starter playbooks are read-only: copy one with create_playbook (starter_id) and use your copy's id.
Playbooks are also readable as resources at playbook://{id}.`;
