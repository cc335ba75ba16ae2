"""Exports of the decision log: CSV, JSON, PDF, labelled data (YOLO, COCO), DICOS TDR."""
