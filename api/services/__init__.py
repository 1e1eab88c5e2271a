"""The API's logic, one module per concept; routers only translate HTTP to these calls."""
