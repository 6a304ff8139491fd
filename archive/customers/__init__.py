"""The service centre's customers: the register (主要客户档案), how service records are linked to
a customer, the duties owed to each (surveys, visits, 回访 under warranty, complaint follow-up),
corrective actions followed through, and satisfaction statistics."""
