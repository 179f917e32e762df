"""People-centred permission predicates shared by every app.

Staff roles are global Django groups. Family members and professionals have no role: they
see a meeting only because they are invited to it (see ``meetings.rules``).
"""

import rules

from participants.enums import StaffRole

is_administrator = rules.is_group_member(StaffRole.ADMINISTRATOR)
is_chair = rules.is_group_member(StaffRole.CHAIR)
is_manager = rules.is_group_member(StaffRole.MANAGER)
is_staff_role = is_administrator | is_chair | is_manager
