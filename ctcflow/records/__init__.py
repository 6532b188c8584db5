"""What the teams record: the handlingsplan and its implementation, costs and the mandated themes."""
