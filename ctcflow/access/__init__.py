"""Who people are and what they may do: the directory of role holders on a day, the one rule
for when nobody holds a role, and the one permission rule every interface asks."""
