"""Reading answer sheets from phone photos (optical mark recognition).

One job per module:

- ``template``: the printed sheet's geometry (the JSON written next to the PDF), per variant;
- ``photos``: the pages of a photo or a scanner PDF, as grey images;
- ``locate``: finds the four ArUco markers and straightens the sheet;
- ``qrcode``: reads the QR code (form, variant, version);
- ``fills``: how dark each bubble is, against the paper and the ink of the same sheet;
- ``decide``: sure or doubtful, field by field, with a per-sheet calibration;
- ``reader``: one photo → one reading (or a refusal in French);
- ``queue``: the review queue in the results database, and the import of sure sheets;
- ``review``: the offline HTML page with crops and the correction file;
- ``corrections``: importing the filled correction file;
- ``synthetic``: pencil and pen marks and phone-photo defects, for tests, the benchmark and the example.
"""
