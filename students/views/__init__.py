"""Student pages: ``plan`` (one student's training plan and its workflow) and ``lists`` (lists, queues,
import and export)."""
